"""``fieldwork print``: the command writes the PDF, and says plainly what is wrong."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from fieldwork.cli import main
from fieldwork.demo import DemoSizes, make_demo


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.fieldwork"
    make_demo(path, seed=5, sizes=DemoSizes(6, 3, 2)).close()
    return path


@pytest.fixture(scope="module")
def references(demo: Path) -> dict[str, list[str]]:
    from fieldwork.service import Service

    with Service.open(demo, backup=False) as service:
        out: dict[str, list[str]] = {"all": []}
        for case in service.cases():
            out["all"].append(case.reference)
            out.setdefault(case.inspector_name or "", []).append(case.reference)
        return out


def outline_titles(path: Path) -> list[str]:
    return [entry.title for entry in pypdf.PdfReader(path).outline]


def test_print_named_cases_in_the_order_given(
    demo: Path, references: dict[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = references["all"][3], references["all"][0]
    out = tmp_path / "sheet.pdf"
    code = main(
        [
            "print",
            str(demo),
            "--case",
            first,
            "--case",
            second,
            "-o",
            str(out),
            "--printed-at",
            "2020-01-20T14:05",
        ]
    )
    assert code == 0
    assert "Wrote 2 case summary sheets" in capsys.readouterr().out
    titles = outline_titles(out)
    assert len(titles) == 2
    assert first in titles[0] and second in titles[1]
    text = text_of(out)
    assert "Printed 20 January 2020, 14:05" in text
    assert f"Case summary sheet: Case reference {first}" in text


def test_print_all_and_one_inspectors_cases(
    demo: Path, references: dict[str, list[str]], tmp_path: Path
) -> None:
    everything = tmp_path / "all.pdf"
    assert main(["print", str(demo), "--all", "-o", str(everything)]) == 0
    assert len(outline_titles(everything)) == len(references["all"])

    helen = tmp_path / "helen.pdf"
    assert main(["print", str(demo), "--inspector", "Helen Adeyemi", "-o", str(helen)]) == 0
    titles = outline_titles(helen)
    assert len(titles) == len(references["Helen Adeyemi"])
    assert all(any(r in t for r in references["Helen Adeyemi"]) for t in titles)
    assert "Inspector: Helen Adeyemi" in text_of(helen)

    victims = tmp_path / "victims.pdf"
    assert main(["print", str(demo), "--all", "--sample", "victim", "-o", str(victims)]) == 0
    assert len(outline_titles(victims)) == 2


def test_unknown_references_are_named_and_nothing_is_written(
    demo: Path, references: dict[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.pdf"
    argv = ["print", str(demo), "--case", "E000000", "--case", references["all"][0]]
    code = main([*argv, "--case", "NOPE-1", "-o", str(out)])
    assert code == 1
    error = capsys.readouterr().err
    assert str(demo) in error
    assert "there is no case with the references 'E000000', 'NOPE-1'" in error
    assert "nothing was printed" in error
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "say which cases to print"),
        (["--inspector", "Nobody"], "there is no inspector 'Nobody'"),
        (["--all", "--sample", "youth"], "there is no sample 'youth'"),
    ],
)
def test_clear_errors(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "sheet.pdf"
    assert main(["print", str(demo), *argv, "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_output_is_a_clear_error(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "sheet.pdf"
    assert main(["print", str(demo), "--all", "-o", str(out)]) == 1
    error = capsys.readouterr().err
    assert "the folder does not exist" in error and "missing" in error
