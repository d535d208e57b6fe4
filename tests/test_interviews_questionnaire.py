"""The interview questionnaires: transcribed from the report's domain-one chapters, valid
against their schema, and refused with a clear error when malformed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fieldwork.errors import FrameworkError
from fieldwork.framework import Framework
from fieldwork.interviews.questionnaire import (
    OFFICER,
    SERVICE_USER,
    AnswerType,
    load_questionnaire,
    questionnaire_path,
    questionnaires_for,
)

SEED = Path(__file__).resolve().parent / "data" / "seed-north-west-2020.txt"
WORDS = {
    "Sixty-four": 64,
    "Sixty-six": 66,
    "Sixty-seven": 67,
    "Seventy-three": 73,
    "Seventy-five": 75,
}


def _seed() -> str:
    return " ".join(SEED.read_text(encoding="utf-8").split())


def _numbers(quote: str) -> set[int]:
    found = {int(n) for n in re.findall(r"\b(\d+) per cent", quote)}
    return found | {n for word, n in WORDS.items() if word in quote}


def test_both_questionnaires_load_against_the_framework(framework: Framework) -> None:
    found = questionnaires_for(framework)
    assert set(found) == {OFFICER, SERVICE_USER}
    officer = found[OFFICER]
    assert officer.attribute("grade").choices == ("PO", "PSO", "PQiP")
    assert {i.answer for i in officer.items} == set(AnswerType)


def test_every_quote_is_the_reports_own_words_with_its_figure(framework: Framework) -> None:
    seed = _seed()
    checked = 0
    for questionnaire in questionnaires_for(framework).values():
        for item in questionnaire.items:
            for quote in [item.quote, *(f.quote for f in item.figures)]:
                if quote:
                    assert quote in seed, quote
            for figure in item.figures:
                if figure.published is not None and figure.table == "":
                    # A figure in the text: its number is in the sentence quoted (or the
                    # sentence says "the same proportion" as the one before it).
                    assert figure.published in _numbers(figure.quote) or (
                        "same proportion" in figure.quote
                    ), figure.id
                    checked += 1
    assert checked >= 11


def test_key_data_rows_match_the_reports_tables(framework: Framework) -> None:
    """Each key-data figure: its label, then previous and current, as the report prints it."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    rows = [f for q in questionnaires_for(framework).values() for f in q.figures if f.table]
    assert {f.id for f in rows} == {
        "ro-quality-prioritised",
        "ro-workload-unmanageable-po",
        "ro-workload-unmanageable-pso",
    }
    for figure in rows:
        line = next(line for line in lines if line.startswith(figure.label))
        cells = line.split("\t")
        assert cells[-2:] == [f"{figure.previous:g}%", f"{figure.published}%"], line


def test_the_workload_figures_are_one_item_seen_both_ways(framework: Framework) -> None:
    officer = questionnaires_for(framework)[OFFICER]
    item = officer.item("ro-workload-manageable")
    by_id = {f.id: f for f in item.figures}
    assert by_id["ro-workload-manageable-po"].published == 55
    assert by_id["ro-workload-unmanageable-po"].inverted
    # 55 per cent of POs agreed their workload was manageable: 45 per cent did not.
    assert 100 - by_id["ro-workload-manageable-po"].published == (
        by_id["ro-workload-unmanageable-po"].published
    )
    assert 100 - by_id["ro-workload-manageable-pso"].published == (
        by_id["ro-workload-unmanageable-pso"].published
    )


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _officer_data(framework: Framework) -> dict[str, object]:
    path = questionnaire_path(framework.id, OFFICER)
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_schema_error_names_file_and_place(framework: Framework, tmp_path: Path) -> None:
    data = _officer_data(framework)
    data["items"][2]["answer"] = "maybe"  # type: ignore[index]
    path = _write(tmp_path, data)
    with pytest.raises(FrameworkError) as caught:
        load_questionnaire(path, framework)
    assert caught.value.file == str(path)
    assert caught.value.place == "items[2].answer"


def test_a_standard_the_framework_lacks_is_refused(framework: Framework, tmp_path: Path) -> None:
    data = _officer_data(framework)
    data["items"][0]["standards"] = ["9.9"]  # type: ignore[index]
    with pytest.raises(FrameworkError, match="standard '9.9' is not in the framework"):
        load_questionnaire(_write(tmp_path, data), framework)


def test_a_figure_for_an_unknown_grade_is_refused(framework: Framework, tmp_path: Path) -> None:
    data = _officer_data(framework)
    data["items"][1]["figures"][1]["grade"] = "SPO"  # type: ignore[index]
    with pytest.raises(FrameworkError, match="grade 'SPO'") as caught:
        load_questionnaire(_write(tmp_path, data), framework)
    assert caught.value.place == "items[1] (ro-workload-manageable).figures[1]"


def test_duplicate_ids_are_refused(framework: Framework, tmp_path: Path) -> None:
    data = _officer_data(framework)
    data["items"][1]["id"] = data["items"][0]["id"]  # type: ignore[index]
    with pytest.raises(FrameworkError, match="used twice"):
        load_questionnaire(_write(tmp_path, data), framework)
