"""Which items of the framework a case must answer, and where each one stands.

Three states are kept apart (design section 4): not yet answered; not
applicable by the framework's rule (shown, skipped, not counted); and not
applicable by the inspector's choice (counted out of the sub-sample, with a
reason).

The rule of a case's status after an edit lives here too (``status_after_edit``),
for the service's own edits and for the answers a bundle brings in alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from fieldwork.errors import MissingItem
from fieldwork.framework import Attributes, Framework, KeyQuestion, Prompt


class ItemState(StrEnum):
    UNANSWERED = "unanswered"
    YES = "yes"
    NO = "no"
    NA_RULE = "not applicable by rule"
    NA_CHOICE = "not applicable by choice"


#: A case's status, as the ``cases`` table stores it.
NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
COMPLETE = "complete"


class ItemKind(StrEnum):
    PROMPT = "prompt"
    JUDGEMENT = "judgement"


@dataclass(frozen=True)
class StoredResponse:
    """What the store holds for one item of one case."""

    item_id: str
    value: str | None  # "yes", "no", "na" or None (only a note so far)
    na_reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class CaseItem:
    """One prompt or key-question judgement of a case, with its state."""

    item_id: str
    kind: ItemKind
    text: str
    standard_id: str
    key_question_id: str
    applies: bool
    state: ItemState
    note: str = ""
    na_reason: str = ""
    may_mark_na: bool = False
    rule_note: str | None = None

    @property
    def missing(self) -> str | None:
        """What is still needed for this item, or None when it is done."""
        if not self.applies:
            return None
        if self.state is ItemState.UNANSWERED:
            return "judgement" if self.kind is ItemKind.JUDGEMENT else "answer"
        if self.state is ItemState.NA_CHOICE:
            # A judgement marked not applicable needs its reason, not a rationale.
            return None if self.na_reason.strip() else "reason for not applicable"
        if self.kind is ItemKind.JUDGEMENT and not self.note.strip():
            return "rationale"
        return None


def _state(applies: bool, response: StoredResponse | None) -> ItemState:
    if not applies:
        return ItemState.NA_RULE
    if response is None or response.value is None:
        return ItemState.UNANSWERED
    return {"yes": ItemState.YES, "no": ItemState.NO, "na": ItemState.NA_CHOICE}[response.value]


def _item(
    item: Prompt | KeyQuestion,
    kind: ItemKind,
    standard_id: str,
    kq_id: str,
    applies: bool,
    response: StoredResponse | None,
) -> CaseItem:
    return CaseItem(
        item_id=item.id,
        kind=kind,
        text=item.text,
        standard_id=standard_id,
        key_question_id=kq_id,
        applies=applies,
        state=_state(applies, response),
        note=response.note if response else "",
        na_reason=response.na_reason if response else "",
        may_mark_na=item.inspector_may_mark_na,
        rule_note=item.rule_note,
    )


def case_items(
    framework: Framework,
    sample: str,
    attributes: Attributes,
    responses: Mapping[str, StoredResponse],
) -> list[CaseItem]:
    """Every item of the case's sample in framework order: each key question's prompts, then
    its judgement."""
    items: list[CaseItem] = []
    for standard in framework.case_standards(sample):
        for kq in standard.key_questions:
            kq_applies = kq.rule.holds(attributes)
            for prompt in kq.prompts:
                applies = prompt.rule.holds(attributes)
                items.append(
                    _item(
                        prompt,
                        ItemKind.PROMPT,
                        standard.id,
                        kq.id,
                        applies,
                        responses.get(prompt.id),
                    )
                )
            items.append(
                _item(kq, ItemKind.JUDGEMENT, standard.id, kq.id, kq_applies, responses.get(kq.id))
            )
    return items


def with_response(items: Iterable[CaseItem], response: StoredResponse) -> list[CaseItem]:
    """The items again, with one item's stored response replaced (no re-evaluation of rules)."""
    return [
        replace(
            item,
            state=_state(item.applies, response),
            note=response.note,
            na_reason=response.na_reason,
        )
        if item.item_id == response.item_id
        else item
        for item in items
    ]


def progress(items: Iterable[CaseItem]) -> tuple[int, int]:
    """(done, total) over the items that apply."""
    done = total = 0
    for item in items:
        if item.applies:
            total += 1
            done += item.missing is None
    return done, total


def missing_items(items: Iterable[CaseItem]) -> list[MissingItem]:
    return [
        MissingItem(item.item_id, what, item.text)
        for item in items
        if (what := item.missing) is not None
    ]


def status_after_edit(status: str, items: Iterable[CaseItem], *, started: bool) -> str:
    """A case's status once an edit has left it with these items.

    A case not started moves to in progress once something in it is ``started``; a
    complete case that the edit left with something missing is open again (in progress).
    Only marking complete makes a case complete, never an edit.
    """
    if status == NOT_STARTED and started:
        return IN_PROGRESS
    if status == COMPLETE and missing_items(items):
        return IN_PROGRESS
    return status
