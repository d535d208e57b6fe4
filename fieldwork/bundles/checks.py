"""Checks on a bundle's records that a schema cannot make: ids that refer to each other,
items that exist in the framework, attributes the sample has. Each failure names the
bundle, the entry, the record and the problem."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
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
