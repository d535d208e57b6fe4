"""The framework loader: validation errors name file, place and problem; new frameworks are
data only."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fieldwork.errors import FrameworkError
from fieldwork.framework import (
    DEFAULT_FRAMEWORK,
    available_frameworks,
    framework_by_id,
    load_framework,
)
from fieldwork.paths import frameworks_dir


@pytest.fixture
def data() -> dict[str, Any]:
    path = available_frameworks()[DEFAULT_FRAMEWORK]
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def write(tmp_path: Path, data: Any, name: str = "broken.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def error_of(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    return caught.value


def test_bundled_framework_loads_with_version_and_hash(framework):
    assert framework.id == DEFAULT_FRAMEWORK
    assert framework.version == "2018.2"
    assert len(framework.content_hash) == 64
    assert [s.id for s in framework.standards] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
    ]
    assert framework.prompt("2.3.1.4").text.startswith("Post-custody cases only:")


def test_hash_ignores_layout_but_not_content(tmp_path, data, framework):
    relaid = tmp_path / "relaid.json"
    relaid.write_text(json.dumps(data, indent=None, sort_keys=True), encoding="utf-8")
    assert load_framework(relaid).content_hash == framework.content_hash
    data["domains"][1]["standards"][0]["key_questions"][0]["text"] += " "
    assert load_framework(write(tmp_path, data)).content_hash != framework.content_hash


def test_missing_field_names_file_and_place(tmp_path, data):
    del data["domains"][1]["standards"][0]["key_questions"][1]["prompts"][2]["text"]
    error = error_of(write(tmp_path, data))
    assert error.file == str(tmp_path / "broken.json")
    assert error.place == "domains[1].standards[0].key_questions[1].prompts[2]"
    assert "'text' is a required property" in error.problem


def test_duplicate_id(tmp_path, data):
    prompts = data["domains"][1]["standards"][1]["key_questions"][0]["prompts"]
    prompts[1]["id"] = prompts[0]["id"]
    error = error_of(write(tmp_path, data))
    assert error.place == "domains[1].standards[1].key_questions[0].prompts[1]"
    assert "duplicate id '2.2.1.1'" in error.problem


def test_unknown_rule_attribute(tmp_path, data):
    kq = data["domains"][1]["standards"][0]["key_questions"][2]
    kq["applies"] = {"attribute": "risk_factors", "equals": True}
    error = error_of(write(tmp_path, data))
    assert error.place == "domains[1].standards[0].key_questions[2].applies"
    assert "unknown rule attribute 'risk_factors'" in error.problem


def test_impossible_rule_value(tmp_path, data):
    prompt = data["domains"][1]["standards"][2]["key_questions"][0]["prompts"][3]
    prompt["applies"] = {"attribute": "disposal", "equals": "post-custody"}
    error = error_of(write(tmp_path, data))
    assert "value 'post-custody' is not possible for attribute 'disposal'" in error.problem


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": 1,\n  "id": "x",,\n}', encoding="utf-8")
    error = error_of(path)
    assert error.place == "line 3, column 13"
    assert "invalid JSON" in error.problem


def test_wrong_type_and_unknown_key(tmp_path, data):
    data["domains"][0]["assessed"] = "sometimes"
    error = error_of(write(tmp_path, data))
    assert error.place == "domains[0].assessed"
    bad = copy.deepcopy(data)
    bad["domains"][0]["assessed"] = "inspection"
    bad["domains"][0]["colour"] = "red"
    assert "'colour' was unexpected" in error_of(write(tmp_path, bad)).problem


def test_unreadable_and_missing_files(tmp_path):
    assert error_of(tmp_path / "nope.json").problem == "file not found"
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"title": "caf\xe9"}'.encode("latin-1"))
    assert "cannot read" in error_of(latin).problem


def test_a_second_framework_is_only_a_data_file(tmp_path, data, service):
    youth = copy.deepcopy(data)
    youth["id"] = "hmip-youth-test"
    youth["title"] = "A youth justice framework (test)"
    youth["samples"] = [
        {
            "id": "youth",
            "title": "Youth cases",
            "reference_label": "Case",
            "attributes": [{"id": "custody", "label": "Custody", "type": "bool"}],
        }
    ]
    youth["domains"] = [
        {
            "id": "2",
            "title": "Case supervision",
            "assessed": "case",
            "standards": [
                {
                    "id": "2.1",
                    "title": "Assessment",
                    "sample": "youth",
                    "key_questions": [
                        {
                            "id": "2.1.1",
                            "text": "Is it good?",
                            "prompts": [
                                {
                                    "id": "2.1.1.1",
                                    "text": "Really?",
                                    "applies": {"attribute": "custody", "equals": True},
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ]
    for path in frameworks_dir().glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    write(tmp_path, youth, "youth.json")
    assert set(available_frameworks(tmp_path)) == {DEFAULT_FRAMEWORK, "hmip-youth-test"}
    loaded = framework_by_id("hmip-youth-test", tmp_path)
    assert loaded.prompt("2.1.1.1").rule.holds({"custody": True})
    assert not loaded.prompt("2.1.1.1").rule.holds({"custody": False})
    with pytest.raises(FrameworkError, match="no framework with id 'nope'"):
        framework_by_id("nope", tmp_path)


def test_a_framework_already_validated_skips_only_an_identical_file(tmp_path, data, framework):
    path = write(tmp_path, data, "same.json")
    trusted = load_framework(path, validated_hash=framework.content_hash)
    assert trusted.content_hash == framework.content_hash
    assert trusted.prompt("2.3.1.4").text == framework.prompt("2.3.1.4").text
    data["domains"][0]["assessed"] = "sometimes"  # invalid, so its hash differs from the valid one
    error = error_of(write(tmp_path, data))
    with pytest.raises(FrameworkError) as again:
        load_framework(tmp_path / "broken.json", validated_hash=framework.content_hash)
    assert again.value.message == error.message
