"""The column-wise proof of a table entry (fieldwork/bundles/columns.py): it proves real tables
valid, and never accepts a table its JSON Schema refuses (then the full validator names it)."""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

import fastjsonschema
import pytest

from fieldwork.bundles.columns import table_check
from fieldwork.bundles.schemas import BundleError, schema, validate
from tests import test_bundles_support as support
from tests.test_bundles_support import World

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)

TABLES = {"responses.json": "bundle-responses", "history.json": "bundle-history"}


@pytest.fixture
def tables(world: World) -> dict[str, Any]:
    """The responses and history tables of a real return bundle, as parsed."""
    sealed, key = world.unwrap(world.returned)
    found = {name: json.loads(sealed.open_entry(name, key)) for name in TABLES}
    # and a revision of the first answer: a replaced rev, ancestors, a note, no value
    first = found["responses.json"]["rows"][0]
    revised = [str(uuid.uuid4()), *first[1:4], None, "", "seen\nlater", 2, str(uuid.uuid4())]
    found["responses.json"]["rows"].append([*revised, first[8], *first[10:12], [first[8]]])
    return found


@pytest.fixture(params=sorted(TABLES))
def proof(request, tables) -> tuple[str, Callable[[Any], bool], dict[str, Any]]:
    """For each table entry: its schema's name, its column-wise proof and the real table."""
    name = TABLES[request.param]
    check = table_check(schema(name))
    assert check is not None
    return name, check, tables[request.param]


def _schema_accepts(name: str, data: Any) -> bool:
    try:
        fastjsonschema.compile(schema(name))(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@pytest.mark.parametrize("entry", sorted(TABLES))
def test_a_real_table_is_proven_valid_by_its_columns(tables, entry):
    check = table_check(schema(TABLES[entry]))
    assert check is not None
    data = tables[entry]
    assert len(data["rows"]) >= 3
    assert check(data) and _schema_accepts(TABLES[entry], data)


# Values that break a column's subschema in one way each (type, pattern, length, enum, bound).
BAD_VALUES: list[Any] = [
    None,
    True,
    0,
    -3,
    1.5,
    "",
    "x" * 100_001,
    "maybe",
    "2.1.1.1 ",
    "0123456789abcdef0123456789abcdef",
    "ABCDEF01-2345-6789-abcd-ef0123456789",
    "01234567-89ab-cdef-0123-456789abcde-",  # a fifth dash
    "0123456-789ab-cdef-0123-456789abcdef",  # a dash out of place
    "01234567-89ab-cdef-0123-456789abcdeé",  # not ASCII
    "01234567-89ab-cdef-0123-456789abcdef0",
    ["not-a-uuid"],
    [None],
    {"a": 1},
    [],
]


def test_every_single_bad_value_is_refused_and_named(proof):
    """Each column, each bad value: the proof never accepts what the schema refuses, and
    validate then names the entry and the row and column of the problem."""
    name, check, base = proof
    entry = next(e for e, n in TABLES.items() if n == name)
    refused = 0
    for column in range(len(base["fields"])):
        for bad in BAD_VALUES:
            data = copy.deepcopy(base)
            row = len(data["rows"]) // 2
            data["rows"][row][column] = bad
            if _schema_accepts(name, data):
                continue  # e.g. null where a column allows it
            refused += 1
            assert not check(data), (entry, base["fields"][column], bad)
            with pytest.raises(BundleError) as caught:
                validate(name, data, file="bundle.fwb", entry=entry)
            assert caught.value.place is not None
            assert caught.value.place.startswith(f"{entry}, rows[{row}]"), caught.value.place
    assert refused > 5 * len(base["fields"])


def test_a_misshapen_table_is_left_to_the_full_validator(proof):
    name, check, base = proof
    shapes = [
        {**base, "extra": 1},
        {"rows": base["rows"]},
        {**base, "fields": list(reversed(base["fields"]))},
        {**base, "rows": [*base["rows"], base["rows"][0][:-1]]},
        {**base, "rows": [*base["rows"], [*base["rows"][0], "more"]]},
        {**base, "rows": [*base["rows"], dict(enumerate(base["rows"][0]))]},
        {**base, "rows": {"0": base["rows"][0]}},
        [base],
    ]
    for data in shapes:
        assert not _schema_accepts(name, data)
        assert not check(data)
        with pytest.raises(BundleError):
            validate(name, data, file="bundle.fwb", entry="table.json")


def test_random_mutations_never_pass_the_proof_when_the_schema_refuses_them(proof):
    name, check, base = proof
    rng = random.Random(14)
    proven = 0
    for _ in range(300):
        data = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            row = rng.choice(data["rows"])
            column = rng.randrange(len(row))
            pool = [*BAD_VALUES, *(r[column] for r in rng.sample(base["rows"], 3))]
            row[column] = copy.deepcopy(rng.choice(pool))
        if check(data):
            proven += 1
            assert _schema_accepts(name, data), data
    assert proven > 0  # values from other rows keep some mutants valid


def test_a_schema_with_keywords_it_does_not_know_proves_nothing():
    document = copy.deepcopy(schema("bundle-responses"))
    document["properties"]["rows"]["items"]["items"][2]["format"] = "date"
    assert table_check(document) is None
    assert table_check(schema("bundle-cases")) is None  # a list of objects, not a table
