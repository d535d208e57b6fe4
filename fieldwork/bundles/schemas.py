"""JSON Schemas of the files inside a bundle, and the check every file passes on reading.

The schemas are plain JSON Schema (draft-07) files in ``resources/schemas/``. A
payload of tens of thousands of records is checked with fastjsonschema, which
compiles a schema to Python (jsonschema takes about twenty times as long);
when a file fails, jsonschema, the reference implementation, finds the most
specific error and where it is, for the message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from itertools import islice
from typing import Any

from fieldwork.errors import FieldworkError
from fieldwork.paths import schema_path


class BundleError(FieldworkError):
    """A bundle that cannot be read, trusted or imported; nothing was changed."""


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``resources/schemas/<name>.schema.json``."""
    import jsonschema  # the validators load when a bundle is first read, not at start-up

    document: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(document).check_schema(document)
    return document


@cache
def _proof(name: str) -> Callable[[Any], bool]:
    """The column-wise proof for a table entry (fieldwork/bundles/columns.py); for any other
    schema one that proves nothing."""
    from fieldwork.bundles.columns import table_check

    return table_check(schema(name)) or (lambda data: False)


@cache
def _compiled(name: str) -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(schema(name))


def place_of(path: Any) -> str:
    """A readable location such as ``[12].attributes.rosh``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


#: How many errors jsonschema looks for to explain a failure: a hostile file with a million bad
#: elements costs no more than one with a few.
MAX_ERRORS = 5


def validate(name: str, data: Any, *, file: str, entry: str) -> None:
    """Raise BundleError naming the file, the entry, the place in it and the problem."""
    if _proof(name)(data):  # a large table, proven valid a column at a time
        return
    import fastjsonschema
    import jsonschema

    try:
        _compiled(name)(data)
    except fastjsonschema.JsonSchemaException as fast:
        validator = jsonschema.validators.validator_for(schema(name))(schema(name))
        first = islice(validator.iter_errors(data), MAX_ERRORS)
        error = jsonschema.exceptions.best_match(first)
        if error is None:
            raise BundleError(str(fast), file=file, place=entry) from None
        raise BundleError(
            f"does not follow the bundle format: {error.message}",
            file=file,
            place=f"{entry}, {place_of(error.absolute_path)}",
        ) from None
