"""Review threads shown prominently on the laptop (issue 17): the home view and the completion
view list them, driven through the real window on a real workspace file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from fieldwork.bundles.conflicts import add_qa_comment
from fieldwork.qa import review, threads
from fieldwork.service import Service
from tests.conftest import answer_everything
from tests.test_gui_helpers import (
    TIMEOUT,
    close_window,
    make_workbench,
    open_window,
    settings_in,
    settle,
)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return settings_in(tmp_path)


def test_home_and_completion_views_list_open_threads_and_returned_cases(
    qtbot, tmp_path, clock, settings
):
    def setup(service: Service, ids: dict[str, str]) -> None:
        add_qa_comment(service, ids["REF0001"], "2.1.1.2", "Check the OASys date.")
        threads.open_thread(service, ids["REF0001"], "rosh", "Is RoSH really medium?")
        resolved = add_qa_comment(service, ids["REF0001"], "", "Seen")
        threads.resolve(service, resolved)
        answer_everything(service, ids["REF0002"])
        service.mark_complete(ids["REF0002"])
        review.move(service, ids["REF0002"], "submit")
        review.move(service, ids["REF0002"], "return", "see the thread")

    bench = make_workbench(tmp_path, clock, setup=setup)
    window = open_window(qtbot, bench.path, settings)
    qtbot.waitUntil(lambda: window.home.panel.summary is not None, timeout=TIMEOUT)
    cases_text = window.home.panel.cases.text()
    assert "Quality assurance: 2 open review threads" in cases_text
    assert "Returned for changes: REF0002" in cases_text
    view = window.case_view
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0001"])
    label = view.completion.threads
    assert not label.isHidden()
    assert label.text() == "Open review threads from quality assurance: 2.1.1.2, rosh"
    # a thread on an attribute is shown with the whole case's
    assert "Is RoSH really medium?" in view.case_comments.text.text()
    assert view.completion.resubmit.isHidden()  # REF0001 was not returned
    window.close_case()
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0002"])  # returned for changes: Resubmit is offered
    assert not view.completion.resubmit.isHidden()
    assert view.completion.returned.text() == (
        "Returned for changes by quality assurance: see the thread"
    )
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        qtbot.mouseClick(view.completion.resubmit, Qt.MouseButton.LeftButton)
    assert view.completion.resubmit.isHidden()
    window.close_case()
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["PSR-0001"])
    assert view.completion.threads.isHidden()
    settle(qtbot, window)
    close_window(qtbot, window)
    with Service.open(bench.path, user="Helen") as service:
        assert review.state(service, bench.cases["REF0002"]) == "resubmitted"


def _double_marked_central(service: Service, ids: dict[str, str]) -> None:
    """Helen marks REF0001 and REF0002 Yes throughout; Tom marks REF0001 again, No on one key
    question; REF0002 is accepted by QA."""
    from fieldwork.qa import double

    service.add_inspector("Tom")
    for ref in ("REF0001", "REF0002"):
        answer_everything(service, ids[ref])
        service.mark_complete(ids[ref])
    double.choose(service, ids["REF0001"], "Tom")
    answers = {i.item_id: "yes" for i in service.case(ids["REF0001"]).items if i.applies}
    answers["2.1.1"] = "no"
    double.record_second(service, ids["REF0001"], answers)
    review.move(service, ids["REF0002"], "submit")
    review.move(service, ids["REF0002"], "accept")
    add_qa_comment(service, ids["REF0001"], "2.1.1", "Why Yes here?")


def test_qa_dashboard_shows_agreement_flags_and_draws_the_register(
    qtbot, tmp_path, clock, settings
):
    from PySide6.QtWidgets import QMenu

    from fieldwork.answers import Answer
    from fieldwork.qa import double
    from ui.qa.dashboard import QaDashboard

    bench = make_workbench(tmp_path, clock, setup=_double_marked_central)
    window = open_window(qtbot, bench.path, settings)
    menu = window.menu("&Central")
    [action] = [
        a
        for a in menu.actions() + [x for m in menu.findChildren(QMenu) for x in m.actions()]
        if a.objectName() == "central-qa"
    ]
    action.trigger()
    dashboard = window.findChild(QaDashboard)
    assert dashboard is not None
    qtbot.waitUntil(lambda: dashboard.models["qa-agreement"].rowCount() > 0, timeout=TIMEOUT)
    overall = dashboard.models["qa-agreement"].table.rows[0].cells
    assert overall[0] == "All items" and overall[3] == int(overall[2]) - 1  # type: ignore[arg-type]
    assert "item(s) marked twice" in dashboard.summary.text()
    # two complete cases, both Yes: Tom's No would take 2.1.1 to 50%, another band
    assert [r.cells[1] for r in dashboard.models["qa-flags"].table.rows] == ["2.1.1"]
    assert dashboard.models["qa-register"].rowCount() == 0
    dashboard.share.setValue(0.5)
    dashboard.seed.setValue(42)
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT):
        qtbot.mouseClick(dashboard.draw_button, Qt.MouseButton.LeftButton)
    assert dashboard.models["qa-register"].rowCount() == 1
    drawn = dashboard.models["qa-register"].table.rows[0].value
    dashboard.tabs.setCurrentIndex(2)
    dashboard.views["qa-register"].selectRow(0)
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT):
        dashboard.double_mark_selected("Tom")
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT):
        dashboard.open_thread("REF0002", "", "Whole case: the plan is thin")
    assert [r.cells[:2] for r in dashboard.models["qa-threads"].table.rows] == [
        ("REF0001", "2.1.1"),
        ("REF0002", "whole case"),
    ]
    with qtbot.waitSignal(dashboard.saved, timeout=TIMEOUT) as saved:
        dashboard.save_tables(tmp_path / "qa-tables")
    assert (tmp_path / "qa-tables" / "qa-agreement.csv").exists() and saved.args[0]
    with qtbot.waitSignal(dashboard.saved, timeout=TIMEOUT):
        dashboard.save_report(tmp_path / "qa.pdf")
    import pypdf

    text = " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "qa.pdf").pages)
    assert "Quality assurance and consistency of judgements" in text
    # the lead adjudicates the flagged disagreement from the Flags tab: scoring now holds No
    dashboard.tabs.setCurrentIndex(1)
    assert dashboard.action_buttons["qa-flags"][0].isVisible()
    assert not dashboard.action_buttons["qa-threads"][0].isVisible()
    dashboard.views["qa-flags"].selectRow(0)
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT) as shown:
        dashboard.adjudicate_selected(Answer.NO, "agreed at moderation")
    [flag] = [t for t in shown.args[0] if t.key == "qa-flags"][0].rows
    assert flag.cells[3:5] == ("no", "yes")  # counted now, the other way
    # and resolves, then reopens, a thread from the Threads tab
    dashboard.tabs.setCurrentIndex(4)
    dashboard.views["qa-threads"].selectRow(0)
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT) as shown:
        dashboard.resolve_selected()
    assert dashboard.models["qa-threads"].table.rows[0].cells[4] == "resolved"
    dashboard.views["qa-threads"].selectRow(0)
    with qtbot.waitSignal(dashboard.tables_shown, timeout=TIMEOUT):
        dashboard.reopen_selected("and the date")
    assert dashboard.models["qa-threads"].table.rows[0].cells[4:7] == ("open", 3, "reopen")
    dashboard.close()
    settle(qtbot, window)
    close_window(qtbot, window)
    with Service.open(bench.path, user="Helen") as service:
        assert service.case(bench.cases["REF0001"]).item("2.1.1").state == "no"
        assert drawn in double.second_cases(service, service.inspectors()[1].id)


def test_ratings_dashboard_scores_accepted_cases_only_when_asked(qtbot, tmp_path, clock, settings):
    from ui.scoring.menu import open_dashboard

    bench = make_workbench(tmp_path, clock, setup=_double_marked_central)
    window = open_window(qtbot, bench.path, settings)
    dashboard = open_dashboard(window)
    qtbot.waitUntil(lambda: dashboard.scores is not None, timeout=TIMEOUT)
    assert dashboard.scores is not None
    assert dashboard.scores.figure("2.1.1").applicable == 2
    with qtbot.waitSignal(dashboard.scores_shown, timeout=TIMEOUT) as shown:
        dashboard.accepted_only.setChecked(True)
    assert shown.args[0].figure("2.1.1").applicable == 1
    dashboard.close()
    settle(qtbot, window)
    close_window(qtbot, window)


def test_the_inspector_replies_and_changes_the_answer_from_the_case_view(
    qtbot, tmp_path, clock, settings
):
    from fieldwork.answers import Answer
    from ui.qa.reply import ReplyDialog

    def setup(service: Service, ids: dict[str, str]) -> None:
        service.answer(ids["REF0001"], "2.1.1.2", Answer.NO)
        add_qa_comment(service, ids["REF0001"], "2.1.1.2", "Is there really no assessment?")

    bench = make_workbench(tmp_path, clock, setup=setup)
    window = open_window(qtbot, bench.path, settings)
    view = window.case_view
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        window.open_case(bench.cases["REF0001"])
    view.go_to("2.1.1.2")
    qtbot.waitUntil(lambda: view.current_item.item_id == "2.1.1.2", timeout=TIMEOUT)
    box = view.prompt_panel.qa_box
    assert box.reply_button.isVisible()
    qtbot.mouseClick(box.reply_button, Qt.MouseButton.LeftButton)
    dialog = view.findChild(ReplyDialog)
    assert dialog is not None and not dialog.ok_button.isEnabled()
    assert "Keep the answer (No)" in dialog.answer.itemText(0)
    qtbot.keyClicks(dialog.words, "Found it in OASys")
    dialog.answer.setCurrentIndex(dialog.answer.findData(Answer.YES.value))
    with qtbot.waitSignal(view.comments_shown, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert view.session is not None
    assert view.session.detail.item("2.1.1.2").state == "yes"
    settle(qtbot, window)
    close_window(qtbot, window)
    with Service.open(bench.path, user="Helen") as service:
        [thread] = threads.threads(service)
        reply = thread.steps[-1]
        assert (reply.action, reply.text, reply.answer_old, reply.answer_new) == (
            "reply",
            "Found it in OASys",
            "no",
            "yes",
        )
        changed = [h for h in service.history() if h.item_id == "2.1.1.2" and h.field == "value"]
        assert changed[-1].reason == "Found it in OASys"
