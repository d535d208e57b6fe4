"""Case summary sheets: every PDF is read back with pypdf and its content asserted."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pypdf
import pytest

from fieldwork.answers import Answer
from fieldwork.errors import FieldworkError, StorageError
from fieldwork.reports import (
    PrintCancelled,
    case_sheet,
    case_sheets_pdf,
    write_case_sheets,
)
from fieldwork.service import CaseSummary, Service
from tests.conftest import answer_everything

PRINTED = datetime(2020, 1, 20, 14, 5)
MARKUP_NOTE = 'Risk <b>high</b> & rising; a < b > c, "quoted" &amp; <i>not italic</i> <br/>'
NAMES_NOTE = "Spoke to Łukasz Wójcik and Zoë Ştefănescu; officer’s view — “improving”."

MakeCase = Callable[..., CaseSummary]


def flat(value: str) -> str:
    """Text with every run of white space made one space: lines wrap where the layout says."""
    return " ".join(value.split())


def read(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def pages_text(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in read(pdf).pages]


def sheet_pdf(service: Service, *case_ids: str, **kwargs: object) -> bytes:
    pdf, _ = case_sheets_pdf(service, list(case_ids), printed_at=PRINTED, invariant=True, **kwargs)  # type: ignore[arg-type]
    return pdf


@pytest.fixture
def helen(service: Service) -> str:
    return service.inspectors()[0].id


@pytest.fixture
def worked_case(service: Service, helen: str) -> CaseSummary:
    """A case-supervision case, part answered: yes, no, not applicable with a reason, notes."""
    case = service.add_case(
        "case-supervision",
        "E123456",
        {
            "disposal": "community sentence",
            "gender": "female",
            "rosh": "high",
            "risk_of_harm_factors": True,
            "children": False,
            "cluster": "Greater Manchester",
        },
        inspector_id=helen,
    )
    service.answer(case.id, "2.1.1.1", Answer.YES)
    service.answer(case.id, "2.1.1.2", Answer.NO)
    service.set_note(case.id, "2.1.1.2", MARKUP_NOTE)
    service.answer(case.id, "2.1.1.3", Answer.YES)
    service.set_note(case.id, "2.1.1.3", NAMES_NOTE)
    service.judge(
        case.id, "2.1.1", Answer.NO, rationale="Diversity was <not> considered & it shows."
    )
    return case


# -- content ------------------------------------------------------------------------------
def test_the_sheet_holds_each_prompts_wording_and_answer(
    service: Service, worked_case: CaseSummary
) -> None:
    text = " ".join(pages_text(sheet_pdf(service, worked_case.id)))
    framework = service.framework
    for item in service.case(worked_case.id).items:
        if item.applies and item.kind == "prompt":
            assert f"{item.item_id} {flat(item.text)}" in text, item.item_id
    wording = lambda pid: flat(framework.prompt(pid).text)  # noqa: E731
    assert f"2.1.1.1 {wording('2.1.1.1')} Yes" in text
    assert f"2.1.1.2 {wording('2.1.1.2')} Note: {flat(MARKUP_NOTE)} No" in text
    assert f"2.1.1.3 {wording('2.1.1.3')} Note: {NAMES_NOTE} Yes" in text
    assert f"2.1.2.1 {wording('2.1.2.1')} Not answered" in text
    assert "Is the work satisfactory? Rationale: Diversity was <not> considered & it shows." in text
    assert "Not satisfactory" in text


def test_user_text_is_printed_as_typed_never_read_as_markup(
    service: Service, worked_case: CaseSummary
) -> None:
    service.answer(worked_case.id, "2.1.2.1", Answer.YES)
    service.set_note(worked_case.id, "2.1.2.1", "<b>bold?</b>\n<font size=40>big</font> &lt;")
    text = " ".join(pages_text(sheet_pdf(service, worked_case.id)))
    assert flat(MARKUP_NOTE) in text
    assert "<b>bold?</b> <font size=40>big</font> &lt;" in text
    assert NAMES_NOTE in text


def test_attributes_inspection_and_furniture_are_on_the_sheet(
    service: Service, worked_case: CaseSummary
) -> None:
    pdf = sheet_pdf(service, worked_case.id)
    pages = pages_text(pdf)
    assert "Case summary sheet: Case reference E123456" in pages[0]
    assert "Risk of serious harm High" in pages[0]
    assert "Local delivery unit or cluster Greater Manchester" in pages[0]
    assert "Gender Female" in pages[0]
    assert "Disability Not recorded" in pages[0]
    for n, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2  # header and footer
        assert "North West" in page  # the inspection
        assert "Case reference E123456 · Case supervision" in page
        assert "Inspector: Helen" in page
        assert "Printed 20 January 2020, 14:05" in page
        assert f"Page {n} of {len(pages)}" in page


def test_items_not_applicable_by_rule_are_listed_compactly(
    service: Service, make_case: MakeCase
) -> None:
    # A community sentence with no risk-of-harm factors: "keeping other people safe" and
    # post-custody prompts do not apply.
    case = make_case(risk_of_harm_factors=False, rosh="low")
    items = service.case(case.id).items
    left_out = [i for i in items if not i.applies]
    assert left_out, "the fixture case should have items that do not apply"
    text = " ".join(pages_text(sheet_pdf(service, case.id)))
    assert "do not apply to this case (by the framework's rules)" in text
    whole_questions = {i.item_id for i in left_out if i.kind == "judgement"}
    assert "Key questions that do not apply to this case" in text
    for item in left_out:
        # Listed by its own id, or by its key question's when none of that question applies.
        listed = item.key_question_id if item.key_question_id in whole_questions else item.item_id
        assert re.search(rf"\b{re.escape(listed)}\b", text), item.item_id
        # ... but never with an answer row of its own.
        assert f"{item.item_id} {flat(item.text)}" not in text


def test_a_case_with_nothing_answered_lists_everything_under_still_to_do(
    service: Service, make_case: MakeCase
) -> None:
    case = make_case()
    missing = service.case(case.id).missing
    text = " ".join(pages_text(sheet_pdf(service, case.id)))
    todo = text[text.index("Still to do") :]
    assert f"{len(missing)} items still to do before the case can be marked complete" in todo
    for item in missing:
        kind = "Judgement" if item.what == "judgement" else "Answer"
        assert f"{item.item_id} {kind} {flat(item.text)}" in todo, item.item_id
    assert "Not yet judged" in text


def test_a_finished_case_has_nothing_still_to_do(service: Service, make_case: MakeCase) -> None:
    case = make_case()
    answer_everything(service, case.id)
    text = " ".join(pages_text(sheet_pdf(service, case.id)))
    assert "Still to do Nothing: every item that applies to this case is done." in text
    assert "Not answered" not in text


def test_sheets_of_the_other_samples_print(service: Service, make_case: MakeCase) -> None:
    report = make_case(
        "court-reports", report_type="oral", sentenced=True, allocated_to="NPS", children=True
    )
    victim = make_case("victim", stage="pre-release")
    pages = pages_text(sheet_pdf(service, report.id, victim.id))
    text = " ".join(pages)
    assert "Report reference REF0001 · Court reports and case allocation" in text
    assert "Case reference REF0002 · Statutory victim work" in text
    assert "3.1.1" in text and "3.2.1" in text


# -- long notes and page numbers ---------------------------------------------------------
def test_a_thirty_paragraph_note_splits_across_pages_without_loss(
    service: Service, worked_case: CaseSummary
) -> None:
    before = len(read(sheet_pdf(service, worked_case.id)).pages)
    paragraphs = [
        f"Paragraph {n:02d} begins. " + " ".join(f"word{n}x{w}" for w in range(60)) + " ends."
        for n in range(1, 31)
    ]
    service.set_note(worked_case.id, "2.1.1.1", "\n\n".join(paragraphs))
    pdf = sheet_pdf(service, worked_case.id)
    pages = pages_text(pdf)
    assert len(pages) >= before + 2
    text = " ".join(pages)
    # Every paragraph is whole (the page break falls between or inside paragraphs, never
    # losing a word) and in order; the furniture between pages is the only thing in between.
    positions = []
    for paragraph in paragraphs:
        words = paragraph.split()
        start = text.index(words[0] + " " + words[1])
        positions.append(start)
        for word in words:
            assert word in text, word
    assert positions == sorted(positions)
    spanning = [n for n, page in enumerate(pages) if "word1x0" in page or "word30x59" in page]
    assert spanning[-1] > spanning[0]  # first and last paragraph on different pages
    # The table's header row is repeated on the pages the note runs onto.
    for page in pages[spanning[0] : spanning[-1] + 1]:
        assert "Item Wording, notes and rationale Answer" in page


def test_page_x_of_y_is_right_on_every_page_of_every_sheet(
    service: Service, make_case: MakeCase
) -> None:
    cases = [make_case(), make_case(), make_case("victim", stage="post-sentence")]
    answer_everything(service, cases[1].id)
    pdf, written = case_sheets_pdf(
        service, [c.id for c in cases], printed_at=PRINTED, invariant=True
    )
    pages = pages_text(pdf)
    assert written.pages == len(pages) == sum(written.sheet_pages)
    assert written.cases == 3
    n = 0
    for case, count in zip(cases, written.sheet_pages, strict=True):
        for page in range(1, count + 1):
            assert f"Page {page} of {count}" in pages[n], (case.reference, page)
            assert case.reference in pages[n]
            n += 1


def test_one_bookmark_per_case_each_at_its_first_page(
    service: Service, make_case: MakeCase
) -> None:
    cases = [make_case() for _ in range(3)] + [make_case("victim", stage="pre-release")]
    pdf, written = case_sheets_pdf(
        service, [c.id for c in cases], printed_at=PRINTED, invariant=True
    )
    reader = read(pdf)
    outline = reader.outline
    assert len(outline) == len(cases)
    assert all(not isinstance(entry, list) for entry in outline)  # no nested entries
    first = 0
    for case, entry, count in zip(cases, outline, written.sheet_pages, strict=True):
        assert case.reference in entry.title
        assert reader.get_destination_page_number(entry) == first
        first += count


def test_each_case_starts_on_a_new_page(service: Service, make_case: MakeCase) -> None:
    cases = [make_case(), make_case("victim", stage="pre-release")]
    pdf, written = case_sheets_pdf(
        service, [c.id for c in cases], printed_at=PRINTED, invariant=True
    )
    pages = pages_text(pdf)
    assert "Case summary sheet: Case reference REF0001" in pages[0]
    second = pages[written.sheet_pages[0]]
    assert "Case summary sheet: Case reference REF0002" in second
    assert all("REF0001" not in page for page in pages[written.sheet_pages[0] :])


# -- builds -------------------------------------------------------------------------------
def test_invariant_builds_are_byte_stable(service: Service, worked_case: CaseSummary) -> None:
    first = sheet_pdf(service, worked_case.id)
    second = sheet_pdf(service, worked_case.id)
    assert first == second
    assert first.startswith(b"%PDF-")


def test_the_date_printed_is_the_one_given(service: Service, worked_case: CaseSummary) -> None:
    pdf, _ = case_sheets_pdf(
        service, [worked_case.id], printed_at=datetime(2021, 3, 4, 8, 9), invariant=True
    )
    assert "Printed 4 March 2021, 08:09" in pages_text(pdf)[0]
    assert pdf != sheet_pdf(service, worked_case.id)


def test_progress_runs_up_to_its_total(service: Service, make_case: MakeCase) -> None:
    cases = [make_case() for _ in range(3)]
    seen: list[tuple[int, int]] = []
    sheet_pdf(service, *(c.id for c in cases), progress=lambda d, t: seen.append((d, t)))
    total = seen[-1][1]
    assert {t for _, t in seen} == {total}
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[0] < total and done[-1] == total


def test_write_case_sheets_writes_the_file_whole(
    service: Service, worked_case: CaseSummary, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "sheet.pdf"
    written = write_case_sheets(
        service, [worked_case.id], target, printed_at=PRINTED, invariant=True
    )
    assert target.read_bytes() == sheet_pdf(service, worked_case.id)
    assert written.pages == len(read(target.read_bytes()).pages)
    assert [p.name for p in target.parent.iterdir()] == ["sheet.pdf"]


def test_a_cancelled_run_writes_nothing(
    service: Service, worked_case: CaseSummary, make_case: MakeCase, tmp_path: Path
) -> None:
    other = make_case()
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "sheet.pdf"

    def cancel(done: int, total: int) -> None:
        if done > 1:
            raise PrintCancelled()

    with pytest.raises(PrintCancelled):
        write_case_sheets(
            service, [worked_case.id, other.id], target, printed_at=PRINTED, progress=cancel
        )
    assert list(target.parent.iterdir()) == []


def test_a_missing_folder_is_a_clear_error(
    service: Service, worked_case: CaseSummary, tmp_path: Path
) -> None:
    with pytest.raises(StorageError) as error:
        write_case_sheets(
            service, [worked_case.id], tmp_path / "nowhere" / "s.pdf", printed_at=PRINTED
        )
    assert "nowhere" in error.value.message and "does not exist" in error.value.message


def test_no_cases_is_a_clear_error(service: Service) -> None:
    with pytest.raises(FieldworkError, match="no cases to print"):
        case_sheets_pdf(service, [], printed_at=PRINTED)


def test_case_sheet_reads_what_the_service_holds(
    service: Service, worked_case: CaseSummary
) -> None:
    sheet = case_sheet(service, worked_case.id)
    assert sheet.case == "Case reference E123456"
    assert sheet.inspector == "Helen"
    assert [s.id for s in sheet.standards] == ["2.1", "2.2", "2.3", "2.4"]
    assert len(sheet.missing) == len(service.case(worked_case.id).missing)


def test_typed_attribute_values_print_exactly_as_typed(
    service: Service, make_case: MakeCase
) -> None:
    case = make_case(cluster="20191231 <b>north</b> & co", sentence_date="2019-07-01")
    text = " ".join(pages_text(sheet_pdf(service, case.id)))
    assert "Local delivery unit or cluster 20191231 <b>north</b> & co" in text
    assert "Sentence or release date 1 July 2019" in text  # a date reads as a date
    assert "Disposal Community sentence" in text  # a choice, as the framework words it
