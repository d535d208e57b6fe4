"""What scoring reads from a workspace, in a few bulk queries.

A central workspace holds every case and every response (imported return bundles
land in the same ``cases`` and ``responses`` tables). Scoring reads the cases
once, and the responses in one grouped query that hands back, for each item and
answer, the ids of the cases that gave it. Which cases count for an item is then
decided in Python by set operations: a case counts when it is scored (complete,
by default) and the item applies to it by the framework's rule. Rules depend on
few attributes, so each rule is evaluated once per combination of those
attributes, not once per case.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldwork.framework import AttributeValue, Framework, KeyQuestion, Prompt
from fieldwork.service import Service

#: Separates case ids inside one ``group_concat``; case ids are UUIDs and never hold it.
_SEPARATOR = "\x1f"
VALUES = ("yes", "no", "na")


@dataclass(frozen=True)
class CaseRow:
    """A case as scoring sees it."""

    id: str
    sample: str
    reference: str
    status: str
    inspector: str | None
    attributes: Mapping[str, AttributeValue]


@dataclass(frozen=True)
class ItemAnswers:
    """Who gave which answer to one item, among the cases that count for it.

    ``counted`` are the scored cases the item applies to by rule; ``yes``, ``no`` and ``na``
    (not applicable by the inspector's choice) are subsets of it, and the rest of ``counted``
    is unanswered (only possible when incomplete cases are scored).
    """

    item_id: str
    counted: frozenset[str]
    yes: frozenset[str]
    no: frozenset[str]
    na: frozenset[str]

    @property
    def unanswered(self) -> int:
        return len(self.counted) - len(self.yes) - len(self.no) - len(self.na)

    @property
    def applicable(self) -> int:
        """The sub-sample: cases where the item applies and was answered Yes or No."""
        return len(self.yes) + len(self.no)


@dataclass
class ScoringData:
    """The cases and answers of one workspace, ready for scoring."""

    framework: Framework
    cases: dict[str, CaseRow]
    scored: frozenset[str]
    only_complete: bool
    answers: dict[str, ItemAnswers] = field(default_factory=dict)
    _by_sample: dict[str, list[CaseRow]] = field(default_factory=dict, repr=False)

    def scored_cases(self, sample: str) -> list[CaseRow]:
        """The scored cases of one sample."""
        if not self._by_sample:
            for case_id in self.scored:
                case = self.cases[case_id]
                self._by_sample.setdefault(case.sample, []).append(case)
        return self._by_sample.get(sample, [])


def load_cases(service: Service) -> dict[str, CaseRow]:
    """Every case of the workspace (one query)."""
    rows = service.db.execute(
        "SELECT c.id, c.sample, c.reference, c.status, i.name, c.attributes "
        "FROM cases c LEFT JOIN inspectors i ON i.id = c.inspector_id"
    ).fetchall()
    return {r[0]: CaseRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows}


def _items(framework: Framework) -> Iterable[tuple[str, KeyQuestion | Prompt]]:
    for domain in framework.domains:
        if domain.assessed != "case":
            continue
        for standard in domain.standards:
            assert standard.sample is not None
            for kq in standard.key_questions:
                yield standard.sample, kq
                for prompt in kq.prompts:
                    yield standard.sample, prompt


def applicable_cases(
    framework: Framework, cases: Mapping[str, CaseRow], scored: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Item id → the scored cases it applies to by the framework's rule."""
    # Group the scored cases of each sample by the attributes the sample's rules read.
    groups: dict[str, dict[tuple[Any, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    attributes = {s.id: framework.rule_attributes(s.id) for s in framework.samples}
    for case_id in scored:
        case = cases[case_id]
        if case.sample not in attributes:
            continue
        key = tuple(case.attributes.get(a) for a in attributes[case.sample])
        groups[case.sample][key].add(case_id)
    out: dict[str, frozenset[str]] = {}
    unions: dict[tuple[str, tuple[tuple[Any, ...], ...]], frozenset[str]] = {}
    for sample, item in _items(framework):
        names = attributes[sample]
        holding = tuple(
            key for key in groups[sample] if item.rule.holds(dict(zip(names, key, strict=True)))
        )
        cache_key = (sample, holding)
        if cache_key not in unions:
            unions[cache_key] = frozenset().union(*(groups[sample][k] for k in holding))
        out[item.id] = unions[cache_key]
    return out


def load(
    service: Service, *, only_complete: bool = True, items: Iterable[str] | None = None
) -> ScoringData:
    """Read the cases and the answers to ``items`` (default: every case-judged item).

    ``only_complete`` (the default) scores complete cases only, as the data team does once
    fieldwork is over; with False every case counts and unanswered items are left out of the
    figures (and reported as unanswered).
    """
    framework = service.framework
    cases = load_cases(service)
    scored = frozenset(
        case_id for case_id, case in cases.items() if not only_complete or case.status == "complete"
    )
    counted = applicable_cases(framework, cases, scored)
    wanted = set(counted) if items is None else set(items) & set(counted)
    sql = "SELECT item_id, value, group_concat(case_id, char(31)) FROM responses"
    params: list[Any] = []
    if items is not None:
        sql += " WHERE item_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(wanted)))
    sql += " GROUP BY item_id, value"
    by_value: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    for item_id, value, joined in service.db.execute(sql, params):
        if item_id in wanted and value in VALUES:
            by_value[item_id][value] = counted[item_id].intersection(joined.split(_SEPARATOR))
    empty: frozenset[str] = frozenset()
    answers = {
        item_id: ItemAnswers(
            item_id,
            counted[item_id],
            by_value[item_id].get("yes", empty),
            by_value[item_id].get("no", empty),
            by_value[item_id].get("na", empty),
        )
        for item_id in wanted
    }
    return ScoringData(framework, cases, scored, only_complete, answers)
