"""Fidelity to the method: typed answers and judgements, a key-question judgement "not
applicable" with a reason where the framework allows it (stored, in bundles both ways, out of
the denominator, on the sheet), and the 3.2.1 prompts' sub-samples."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pypdf
import pytest

from fieldwork.answers import Answer
from fieldwork.bundles.checks import check_responses
from fieldwork.bundles.importer import apply_import, plan_import
from fieldwork.bundles.schemas import BundleError
from fieldwork.errors import InvalidChange
from fieldwork.reports import case_sheets_pdf
from fieldwork.scoring import score
from fieldwork.service import CaseSummary, Service
from tests import test_bundles_support as support
from tests.conftest import answer_everything
from tests.test_bundles_support import World, table

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)

MakeCase = Callable[..., CaseSummary]
REASON = "No initial contact was due: the victim opted out before sentence."


def stored(service: Service, case_id: str, item_id: str) -> tuple[Any, ...] | None:
    row = service.db.execute(
        "SELECT value, na_reason, note FROM responses WHERE case_id = ? AND item_id = ?",
        [case_id, item_id],
    ).fetchone()
    return None if row is None else tuple(row)


# -- typed values only ------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["no", "yes", "na", True, False, 1, 0, "Answer.NO"])
def test_judge_refuses_a_string_and_anything_untyped(
    service: Service, make_case: MakeCase, value: object
) -> None:
    case = make_case()
    with pytest.raises(InvalidChange, match=r"is not an answer: give Answer\.YES") as refused:
        service.judge(case.id, "2.1.1", value)  # type: ignore[arg-type]
    assert refused.value.place == f"case {case.reference}, key question 2.1.1"
    assert stored(service, case.id, "2.1.1") is None
    assert service.case_summary(case.id).status == "not started"


@pytest.mark.parametrize("value", ["yes", "no", "na", True, None.__class__])
def test_answer_refuses_anything_but_an_answer(
    service: Service, make_case: MakeCase, value: object
) -> None:
    case = make_case()
    with pytest.raises(InvalidChange, match="is not an answer"):
        service.answer(case.id, "2.1.1.1", value)  # type: ignore[arg-type]
    assert stored(service, case.id, "2.1.1.1") is None


def test_judge_stores_exactly_the_typed_value(service: Service, make_case: MakeCase) -> None:
    case = make_case()
    service.judge(case.id, "2.1.1", Answer.NO, rationale="Engagement was not analysed.")
    assert stored(service, case.id, "2.1.1") == ("no", "", "Engagement was not analysed.")
    service.judge(case.id, "2.1.1", Answer.YES)
    assert stored(service, case.id, "2.1.1")[0] == "yes"  # type: ignore[index]
    service.judge(case.id, "2.1.1", None)
    assert stored(service, case.id, "2.1.1")[0] is None  # type: ignore[index]


# -- a judgement not applicable -----------------------------------------------------------------
def test_only_a_key_question_the_framework_allows_may_be_judged_not_applicable(
    service: Service, make_case: MakeCase
) -> None:
    case = make_case()
    with pytest.raises(InvalidChange, match="must be judged satisfactory or not"):
        service.judge(case.id, "2.1.1", Answer.NOT_APPLICABLE, na_reason="Why not.")
    assert stored(service, case.id, "2.1.1") is None
    assert service.framework.key_question("3.2.1").inspector_may_mark_na
    assert not service.framework.key_question("3.2.2").inspector_may_mark_na


def test_a_not_applicable_judgement_needs_its_reason_not_a_rationale(
    service: Service, make_case: MakeCase
) -> None:
    case = make_case("victim", stage="post-sentence")
    answer_everything(service, case.id)
    service.judge(case.id, "3.2.1", Answer.NOT_APPLICABLE, rationale="")
    assert [(m.item_id, m.what) for m in service.missing(case.id)] == [
        ("3.2.1", "reason for not applicable")
    ]
    service.set_na_reason(case.id, "3.2.1", REASON)
    assert service.missing(case.id) == []
    service.mark_complete(case.id)
    assert stored(service, case.id, "3.2.1") == ("na", REASON, "")
    item = service.case(case.id).item("3.2.1")
    assert item.state.value == "not applicable by choice" and item.na_reason == REASON
    changes = [(h.field, h.new) for h in service.history(case.id) if h.item_id == "3.2.1"]
    assert ("value", "na") in changes and ("na_reason", REASON) in changes


def test_a_not_applicable_judgement_is_left_out_of_the_denominator_and_on_the_sheet(
    service: Service, make_case: MakeCase
) -> None:
    cases = [make_case("victim", stage="post-sentence") for _ in range(3)]
    for case in cases:
        answer_everything(service, case.id)
    service.judge(cases[1].id, "3.2.1", Answer.NO, rationale="Contact came late.")
    service.judge(cases[2].id, "3.2.1", Answer.NOT_APPLICABLE, na_reason=REASON)
    for case in cases:
        service.mark_complete(case.id)
    figure = score(service, breakdowns=None).key_questions["3.2.1"]
    assert (figure.yes, figure.no, figure.not_applicable, figure.applicable) == (1, 1, 1, 2)
    assert figure.percentage == 50  # 1 of 2, not 1 of 3

    pdf, _ = case_sheets_pdf(service, [cases[2].id], printed_at=datetime(2020, 2, 1, 9, 0))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Judgement Is the work satisfactory? Reason: " + REASON in text
    assert "Not applicable" in text.split("3.2.1 ")[1].split("3.2.1.1")[0]


def test_a_3_2_1_prompt_not_applicable_changes_that_prompts_denominator_and_nothing_else(
    service: Service, make_case: MakeCase
) -> None:
    cases = [make_case("victim", stage="post-sentence") for _ in range(4)]
    for case in cases:
        answer_everything(service, case.id)
        service.mark_complete(case.id)
    service.answer(cases[0].id, "3.2.1.2", Answer.NO, edit_reason="Re-read the letter.")
    before = score(service, breakdowns=None)
    service.answer(
        cases[1].id,
        "3.2.1.2",
        Answer.NOT_APPLICABLE,
        na_reason="No letter was sent: contact was by telephone.",
        edit_reason="No letter on file.",
    )
    after = score(service, breakdowns=None)
    changed = {
        item_id
        for item_id, figure in {**before.prompts, **before.key_questions}.items()
        if figure != after.figure(item_id)
    }
    assert changed == {"3.2.1.2"}
    was, now = before.prompts["3.2.1.2"], after.prompts["3.2.1.2"]
    assert (was.yes, was.applicable, was.percentage) == (3, 4, 75)
    assert (now.yes, now.applicable, now.not_applicable, now.percentage) == (2, 3, 1, 67)
    assert [s.provisional for s in before.standards] == [s.provisional for s in after.standards]


def test_the_3_2_1_prompts_the_report_counts_over_sub_samples_may_be_marked(framework) -> None:  # type: ignore[no-untyped-def]
    marked = {p.id for p in framework.key_question("3.2.1").prompts if p.inspector_may_mark_na}
    assert marked == {"3.2.1.1", "3.2.1.2", "3.2.1.4", "3.2.1.5", "3.2.1.6"}


# -- bundles --------------------------------------------------------------------------------------
def test_a_not_applicable_judgement_travels_in_a_return_bundle(world: World) -> None:
    with world.open(world.helen, "Helen") as laptop:
        victim = laptop.find_case("VLU-00001")
        laptop.judge(victim.id, "3.2.1", Answer.NOT_APPLICABLE, na_reason=REASON)
    bundle = world.export_return(name="return-na.fwb")
    with world.open_central() as central:
        apply_import(central, plan_import(central, bundle, world.central_keys()))
        case = central.find_case("VLU-00001")
        assert table(
            central,
            "SELECT kind, value, na_reason FROM responses WHERE case_id = ? AND item_id = ?",
            [case.id, "3.2.1"],
        ) == [("judgement", "na", REASON)]
        item = central.case(case.id).item("3.2.1")
        assert item.state.value == "not applicable by choice" and item.missing is None


def test_a_bundle_with_not_applicable_where_the_framework_forbids_it_is_refused(
    framework,  # type: ignore[no-untyped-def]
) -> None:
    cases = {"c1": {"sample": "case-supervision", "reference": "E1"}}

    def response(item_id: str, kind: str) -> dict[str, Any]:
        return {"id": f"r-{item_id}", "case_id": "c1", "item_id": item_id, "kind": kind,
                "value": "na"}  # fmt: skip

    check_responses(framework, cases, [response("2.3.1.6", "prompt")], "b.fwb")
    for item_id, kind, what in (
        ("2.1.1", "judgement", "key question"),
        ("2.1.1.1", "prompt", "prompt"),
    ):
        with pytest.raises(
            BundleError, match=f"{what} {item_id} cannot be 'not applicable'"
        ) as bad:
            check_responses(framework, cases, [response(item_id, kind)], "b.fwb")
        assert bad.value.file == "b.fwb" and "case E1" in (bad.value.place or "")
