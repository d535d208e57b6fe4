"""Checks on a bundle's records that a schema cannot make: ids that refer to each other,
items that exist in the framework, attributes the sample has. Each failure names the
bundle, the entry, the record and the problem."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from fieldwork.bundles.records import HISTORY_CASE, HISTORY_ID
from fieldwork.bundles.schemas import BundleError
from fieldwork.framework import Framework


def check_cases(framework: Framework, cases: Sequence[Mapping[str, Any]], source: str) -> None:
    seen: set[str] = set()
    for n, case in enumerate(cases):
        place = f"cases.json, [{n}] (case {case['reference']})"
        if case["id"] in seen:
            raise BundleError("the case is listed twice", file=source, place=place)
        seen.add(case["id"])
        try:
            sample = framework.sample(case["sample"])
        except KeyError:
            raise BundleError(
                f"unknown sample {case['sample']!r} in framework {framework.id}",
                file=source,
                place=place,
            ) from None
        for attribute_id, value in case["attributes"].items():
            try:
                attribute = sample.attribute(attribute_id)
            except KeyError:
                raise BundleError(
                    f"unknown attribute {attribute_id!r} for sample {sample.id!r}",
                    file=source,
                    place=place,
                ) from None
            if value is None:
                continue
            if attribute.type == "bool":
                ok = isinstance(value, bool)
            elif attribute.type == "choice":
                ok = value in attribute.choices
            elif attribute.type == "date":
                ok = isinstance(value, str) and _is_date(value)
            else:
                ok = isinstance(value, str)
            if not ok:
                raise BundleError(
                    f"{value!r} is not a valid {attribute.label}", file=source, place=place
                )


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_responses(
    framework: Framework,
    cases: Mapping[str, Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]],
    source: str,
) -> None:
    """Every response is for a case in the bundle and an item of that case's sample."""
    items, may_mark_na = _framework_items(framework)
    if _responses_hold(items, may_mark_na, cases, responses):
        return
    _find_response_problem(framework, items, may_mark_na, cases, responses, source)


def _responses_hold(
    items: Mapping[str, Mapping[str, str]],
    may_mark_na: set[str],
    cases: Mapping[str, Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]],
) -> bool:
    """The checks of ``check_responses`` a column at a time (sets of distinct values, not a
    loop of branches per record); False sends the records to the loop that names the place."""
    case_ids = list(map(itemgetter("case_id"), responses))
    if not set(case_ids) <= cases.keys():
        return False
    samples = {case_id: case["sample"] for case_id, case in cases.items()}
    item_ids = list(map(itemgetter("item_id"), responses))
    kinds = set(
        zip(
            map(samples.__getitem__, case_ids),
            item_ids,
            map(itemgetter("kind"), responses),
            strict=True,
        )
    )
    if any(items.get(sample, {}).get(item) != kind for sample, item, kind in kinds):
        return False
    values = map(itemgetter("value"), responses)
    marked_na = {i for i, v in zip(item_ids, values, strict=True) if v == "na"}
    if not marked_na <= may_mark_na:
        return False
    count = len(responses)
    return (
        len(set(zip(case_ids, item_ids, strict=True))) == count
        and len(set(map(itemgetter("id"), responses))) == count
    )


def _framework_items(framework: Framework) -> tuple[dict[str, dict[str, str]], set[str]]:
    """Sample -> item -> kind ('prompt' or 'judgement'), and the items that may be marked
    not applicable."""
    items: dict[str, dict[str, str]] = {}
    may_mark_na: set[str] = set()
    for sample in framework.samples:
        kinds: dict[str, str] = {}
        for standard in framework.case_standards(sample.id):
            for kq in standard.key_questions:
                kinds[kq.id] = "judgement"
                if kq.inspector_may_mark_na:
                    may_mark_na.add(kq.id)
                may_mark_na.update(p.id for p in kq.prompts if p.inspector_may_mark_na)
                for prompt in kq.prompts:
                    kinds[prompt.id] = "prompt"
        items[sample.id] = kinds
    return items, may_mark_na


def _find_response_problem(
    framework: Framework,
    items: Mapping[str, Mapping[str, str]],
    may_mark_na: set[str],
    cases: Mapping[str, Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]],
    source: str,
) -> None:
    seen_ids: set[str] = set()
    seen_items: set[tuple[str, str]] = set()
    for n, response in enumerate(responses):
        place = f"responses.json, [{n}]"
        case = cases.get(response["case_id"])
        if case is None:
            raise BundleError(
                f"is for case {response['case_id']}, which the bundle does not hold",
                file=source,
                place=place,
            )
        kind = items[case["sample"]].get(response["item_id"])
        if kind != response["kind"]:
            raise BundleError(
                f"{response['kind']} {response['item_id']} is not part of the {case['sample']} "
                f"sample in framework {framework.id}",
                file=source,
                place=f"{place} (case {case['reference']})",
            )
        if response["value"] == "na" and response["item_id"] not in may_mark_na:
            what = "key question" if response["kind"] == "judgement" else "prompt"
            raise BundleError(
                f"{what} {response['item_id']} cannot be 'not applicable': the framework does "
                "not allow it there",
                file=source,
                place=f"{place} (case {case['reference']})",
            )
        key = (response["case_id"], response["item_id"])
        if key in seen_items or response["id"] in seen_ids:
            raise BundleError(
                f"item {response['item_id']} of case {case['reference']} is listed twice",
                file=source,
                place=place,
            )
        seen_items.add(key)
        seen_ids.add(response["id"])


def check_history_rows(
    rows: Iterable[Sequence[Any]], cases: Mapping[str, Any], source: str
) -> None:
    """History rows (lists in HISTORY_FIELDS order) belong to cases in the bundle, once each."""
    rows = list(rows)
    if set(map(itemgetter(HISTORY_CASE), rows)) <= cases.keys() and len(
        set(map(itemgetter(HISTORY_ID), rows))
    ) == len(rows):
        return  # proven a column at a time; otherwise the loop below names the row
    seen: set[str] = set()
    for n, row in enumerate(rows):
        if row[HISTORY_CASE] not in cases:
            raise BundleError(
                f"is for case {row[HISTORY_CASE]}, which the bundle does not hold",
                file=source,
                place=f"history.json, rows[{n}]",
            )
        if row[HISTORY_ID] in seen:
            raise BundleError(
                "the record is listed twice", file=source, place=f"history.json, rows[{n}]"
            )
        seen.add(row[HISTORY_ID])


def check_case_refs(
    entry: str, records: Iterable[Mapping[str, Any]], cases: Mapping[str, Any], source: str
) -> None:
    seen: set[str] = set()
    for n, record in enumerate(records):
        if record["case_id"] not in cases:
            raise BundleError(
                f"is for case {record['case_id']}, which the bundle does not hold",
                file=source,
                place=f"{entry}, [{n}]",
            )
        if record["id"] in seen:
            raise BundleError("the record is listed twice", file=source, place=f"{entry}, [{n}]")
        seen.add(record["id"])
