"""A column-wise proof that a large table entry follows its JSON Schema.

The big entries of a return bundle (responses, history: half a million rows at national
scale) are tables: ``{"fields": [...], "rows": [[...], ...]}`` whose schema gives every
column its own subschema. A validator walks them row by row and value by value, which
cost a third of the national import. This module reads each column's subschema once and
checks a whole column at a time with built-ins that run in C: the set of value types,
``max(map(len, ...))``, set inclusion for enums, each distinct string against a pattern.

It only ever proves validity. When it cannot (a keyword it does not know, a row of the
wrong shape, a value outside what it accepts) it answers False and the full validator
runs, which finds and names the problem. So it can be stricter than the schema, never
looser: a table it accepts is one the schema accepts.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import chain
from typing import Any

Check = Callable[[Sequence[Any]], bool]

_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),  # never bool: a set of types keeps True apart from 1
    "null": frozenset({type(None)}),
    "array": frozenset({list}),
    "boolean": frozenset({bool}),
}
#: The pattern of every id: checked for a whole column at once (``_all_uuids``), not per value.
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_DASH_AT = (8, 13, 18, 23)
_HEX_DIGITS = b"0123456789abcdef"
#: Keywords a column's subschema may use for this proof; any other sends the table to the
#: full validator.
_KNOWN = {"type", "enum", "pattern", "maxLength", "minimum", "maxItems", "items", "description"}


def table_check(schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """The column-wise check of a table schema, or None if the schema is not one this
    module can prove (then only the full validator applies)."""
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        return None
    properties = schema.get("properties", {})
    if set(properties) != {"fields", "rows"} or set(schema.get("required", ())) != {
        "fields",
        "rows",
    }:
        return None
    fields = properties["fields"].get("const")
    rows = properties["rows"]
    row = rows.get("items", {})
    columns = row.get("items")
    if (
        not isinstance(fields, list)
        or set(rows) - {"type", "items", "description"}
        or rows.get("type") != "array"
        or set(row) - {"type", "minItems", "maxItems", "items", "description"}
        or row.get("type") != "array"
        or not isinstance(columns, list)
        or row.get("minItems") != len(columns)
        or row.get("maxItems") != len(columns)
    ):
        return None
    checks = [_column_check(column) for column in columns]
    if any(check is None for check in checks):
        return None
    width = len(columns)
    ready: list[Check] = [c for c in checks if c is not None]

    def check(data: Any) -> bool:
        if type(data) is not dict or data.keys() != {"fields", "rows"}:
            return False
        if data["fields"] != fields or type(data["rows"]) is not list:
            return False
        table: list[Any] = data["rows"]
        if not table:
            return True
        if set(map(type, table)) != {list} or set(map(len, table)) != {width}:
            return False
        return all(c(values) for c, values in zip(ready, zip(*table, strict=True), strict=True))

    return check


def _column_check(schema: Mapping[str, Any]) -> Check | None:
    """Every value of a column against its subschema, or None if it uses what is unknown."""
    if set(schema) - _KNOWN:
        return None
    named = schema.get("type")
    names = [named] if isinstance(named, str) else named
    enum = schema.get("enum")
    if enum is not None:
        if names is not None or not all(v is None or isinstance(v, str) for v in enum):
            return None
        allowed_values = frozenset(enum)
        types = frozenset({type(v) for v in enum})
    elif isinstance(names, list) and all(n in _TYPES for n in names):
        allowed_values = None
        types = frozenset().union(*(_TYPES[n] for n in names))
    else:
        return None
    pattern = schema.get("pattern")
    if pattern == UUID_PATTERN:
        matches: Check | None = lambda strings: _all_uuids(tuple(set(strings)))  # noqa: E731
    elif isinstance(pattern, str):
        search = re.compile(pattern).search
        matches = lambda strings: all(map(search, set(strings)))  # noqa: E731
    else:
        matches = None
    max_length = schema.get("maxLength")
    minimum = schema.get("minimum")
    max_items = schema.get("maxItems")
    items = schema.get("items")
    item_check = None
    if items is not None:
        if not isinstance(items, dict):
            return None
        item_check = _column_check(items)
        if item_check is None:
            return None

    def check(values: Sequence[Any]) -> bool:
        if not set(map(type, values)) <= types:
            return False
        if allowed_values is not None and not set(values) <= allowed_values:
            return False
        if str not in types:
            strings: Sequence[Any] = ()
        else:
            strings = _non_null(values, types, str)
        if matches is not None and not matches(strings):
            return False
        if max_length is not None and max(map(len, strings), default=0) > max_length:
            return False
        numbers = _non_null(values, types, int) if minimum is not None and int in types else ()
        if numbers and min(numbers) < minimum:
            return False
        if list in types:
            lists = _non_null(values, types, list)
            if max_items is not None and max(map(len, lists), default=0) > max_items:
                return False
            if item_check is not None and not item_check(list(chain.from_iterable(lists))):
                return False
        return True

    return check


def _present(values: Iterable[Any], kind: type) -> list[Any]:
    """The values of one type (a column may mix, say, strings and nulls)."""
    return [v for v in values if type(v) is kind]


_NOT_NULL = partial(operator.is_not, None)


def _non_null(values: Sequence[Any], types: frozenset[type], kind: type) -> Sequence[Any]:
    """The values of ``kind`` in a column whose values are of ``types`` (already checked)."""
    if types == {kind}:
        return values
    if types == {kind, type(None)}:
        return list(filter(_NOT_NULL, values))  # the usual mix, sifted without a Python loop
    return _present(values, kind)


def _all_uuids(values: Sequence[str]) -> bool:
    """Every value (a string) is a lowercase UUID: 36 characters, dashes at 8, 13, 18 and 23
    and nowhere else, hex digits elsewhere. Stricter than the pattern's ``$``, which would
    let a final newline through."""
    if set(map(len, values)) - {36}:
        return False
    try:
        joined = "".join(values).encode("ascii")
    except UnicodeEncodeError:
        return False
    dashes = b"-" * len(values)
    # every value is 36 long, so each dash position is a slice of the whole column
    if any(joined[at::36] != dashes for at in _DASH_AT):
        return False
    return joined.translate(None, _HEX_DIGITS) == dashes * 4
