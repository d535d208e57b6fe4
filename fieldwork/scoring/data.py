"""What scoring reads from a workspace, in a few bulk queries.

A central workspace holds every case and every response (imported return bundles
land in the same ``cases`` and ``responses`` tables). ``tally`` counts a whole
scoring: the cases once, grouped in classes of equal attributes, then the
responses in one pass counted per (item, answer, class); a rule is evaluated once
per class. ``load`` reads the ids of the cases behind given items, for drill-down
and single breakdowns: the responses in one grouped query that hands back, for
each item and answer, the ids of the cases that gave it, and set operations decide
which cases count (scored, complete by default, and the item applies by rule).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
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


# -- the counts of a whole scoring, in one pass --------------------------------------------------
@dataclass
class Count:
    """Yes, no and not applicable (by choice) among the cases counted for something; the
    rest of ``counted`` is unanswered."""

    counted: int = 0
    yes: int = 0
    no: int = 0
    na: int = 0

    def add(self, value: str, n: int) -> None:
        setattr(self, value, getattr(self, value) + n)

    @property
    def unanswered(self) -> int:
        return self.counted - self.yes - self.no - self.na


@dataclass(frozen=True)
class Tally:
    """Every count a scoring needs, read in two queries (the cases, then the responses in one
    pass in index order), never a set of case ids per item.

    ``items``: item id → its count. ``breakdowns``: (key question, attribute) → attribute
    value → count. ``values``: (sample, attribute) → value → scored cases with it.
    """

    framework: Framework
    only_complete: bool
    cases: Mapping[str, int]  # sample → cases
    scored: Mapping[str, int]  # sample → scored cases
    items: Mapping[str, Count]
    breakdowns: Mapping[tuple[str, str], Mapping[AttributeValue, Count]]
    values: Mapping[tuple[str, str], Mapping[AttributeValue, int]]


def _present(framework: Framework, sample: str, wanted: Iterable[str]) -> tuple[str, ...]:
    have = {a.id for a in framework.sample(sample).attributes}
    return tuple(dict.fromkeys(a for a in wanted if a in have))


def tally(
    service: Service,
    *,
    only_complete: bool = True,
    breakdowns: Mapping[str, Iterable[str]] | None = None,
    values: Mapping[str, Iterable[str]] | None = None,
    accepted_only: bool = False,
) -> Tally:
    """Count, for every case-judged item, the scored cases it applies to and their answers;
    for each key question the same per value of each ``breakdowns`` attribute of its sample
    (sample → attributes); and the scored cases per value of each ``values`` attribute.

    Cases are read once (only the attributes the rules, the breakdowns and ``values`` use)
    and put in classes of equal attributes; the responses are then counted in one pass per
    (item, answer, class). A rule is evaluated once per class, never per case.
    """
    framework = service.framework
    samples = [s.id for s in framework.samples]
    rule = {s: framework.rule_attributes(s) for s in samples}
    split = {s: _present(framework, s, (breakdowns or {}).get(s, ())) for s in samples}
    counted_values = {s: _present(framework, s, (values or {}).get(s, ())) for s in samples}
    keyed = {s: tuple(dict.fromkeys((*rule[s], *split[s]))) for s in samples}
    names = sorted({a for s in samples for a in (*keyed[s], *counted_values[s])})
    position = {a: n for n, a in enumerate(names)}
    flags = {(s.id, a.id) for s in framework.samples for a in s.attributes if a.type == "bool"}
    columns = "".join(", json_extract(attributes, ?)" for _ in names)
    sql = f"SELECT id, sample, status{columns} FROM cases"

    cases: dict[str, int] = defaultdict(int)
    scored: dict[str, int] = defaultdict(int)
    classes: dict[tuple[Any, ...], int] = {}
    class_of: dict[str, int] = {}
    value_counts: dict[tuple[str, str], dict[AttributeValue, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    # accepted_only: the cases quality assurance accepted (fieldwork/qa/review.py) and no other
    accepted = (
        {
            row[0]
            for row in service.db.execute(
                "SELECT case_id FROM case_reviews WHERE state = ?", ["accepted"]
            )
        }
        if accepted_only
        else None
    )
    for case_id, sample, status, *raw in service.db.execute(sql, [f'$."{a}"' for a in names]):
        if sample not in keyed:
            continue
        cases[sample] += 1
        counts = (not only_complete or status == "complete") and (
            accepted is None or case_id in accepted
        )
        row = [
            bool(v) if v is not None and (sample, a) in flags else v
            for a, v in zip(names, raw, strict=True)
        ]
        key = (sample, counts, *(row[position[a]] for a in keyed[sample]))
        class_of[case_id] = classes.setdefault(key, len(classes))
        if counts:
            scored[sample] += 1
            for a in counted_values[sample]:
                value_counts[(sample, a)][row[position[a]]] += 1
    info = [(key[0], key[1], dict(zip(keyed[key[0]], key[2:], strict=True))) for key in classes]
    size = [0] * len(classes)
    for index in class_of.values():
        size[index] += 1

    of_sample = defaultdict(list)
    for sample, item in _items(framework):
        of_sample[sample].append(item)
    holds: dict[tuple[str, int], bool] = {}
    items: dict[str, Count] = {}
    split_counts: dict[tuple[str, str], dict[AttributeValue, Count]] = {}
    for index, (sample, counts, attributes) in enumerate(info):
        if not counts:
            continue
        for item in of_sample[sample]:
            applies = holds[(item.id, index)] = item.rule.holds(attributes)
            count = items.setdefault(item.id, Count())
            if applies:
                count.counted += size[index]
                if isinstance(item, KeyQuestion):
                    for a in split[sample]:
                        parts = split_counts.setdefault((item.id, a), {})
                        parts.setdefault(attributes[a], Count()).counted += size[index]
    for found in of_sample.values():
        for item in found:
            items.setdefault(item.id, Count())

    # The responses in index order (no sort), one row per case: "item=value" tokens (item
    # ids are dotted digits and values yes/no/na, so neither holds "=" or a space). The
    # tokens of each class are counted together, in C.
    tokens: dict[int, list[str]] = defaultdict(list)
    for case_id, joined in service.db.execute(
        "SELECT case_id, group_concat(item_id || '=' || coalesce(value, ''), ' ') "
        "FROM responses GROUP BY case_id"
    ):
        of_case = class_of.get(case_id)
        if of_case is not None and info[of_case][1]:
            tokens[of_case].append(joined)
    for index, chunks in tokens.items():
        sample, _, attributes = info[index]
        for token, n in Counter(" ".join(chunks).split(" ")).items():
            item_id, _, value = token.partition("=")
            if value not in VALUES or not holds.get((item_id, index), False):
                continue
            items[item_id].add(value, n)
            for a in split[sample]:
                by_value = split_counts.get((item_id, a))
                if by_value is not None:
                    by_value[attributes[a]].add(value, n)
    return Tally(
        framework,
        only_complete,
        dict(cases),
        dict(scored),
        items,
        split_counts,
        {k: dict(v) for k, v in value_counts.items()},
    )
