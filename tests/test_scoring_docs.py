"""docs/scoring.md quotes the report: every quotation must be the report's own words."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "tests" / "data" / "seed-north-west-2020.txt"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_quotation_in_the_scoring_docs_is_in_the_report() -> None:
    report = normalise(REPORT.read_text(encoding="utf-8"))
    quotes = [
        line[2:].strip()
        for line in (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("> ")
    ]
    assert len(quotes) >= 20
    missing = [q for q in quotes if normalise(q) not in report]
    assert missing == []
