"""The sampling report: the working of a draw, read back from the PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldwork.errors import FieldworkError
from fieldwork.sampling.draw import draw_sample, plan_draw, replace_case
from fieldwork.sampling.population import import_population
from fieldwork.sampling.reader import ColumnMapping
from fieldwork.sampling.report import sampling_report_pdf, write_sampling_report
from fieldwork.sampling.summary import preview, sampling_summary
from fieldwork.service import Service
from tests.test_sampling_support import MAPPING, case_rows, write_csv

PRINTED = datetime(2020, 1, 13, 9, 30, tzinfo=UTC)


@pytest.fixture
def drawn(service: Service, tmp_path: Path) -> Service:
    path = write_csv(tmp_path / "nps.csv", case_rows(1_000, seed=4))
    import_population(service, path, "case-supervision", mapping=ColumnMapping(MAPPING))
    draw_sample(service, "case-supervision", seed=2020)
    replace_case(service, service.cases()[3].id, "deceased")
    return service


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_report_shows_the_working(drawn: Service, tmp_path: Path) -> None:
    summary = sampling_summary(drawn, "case-supervision")
    out = tmp_path / "sampling.pdf"
    written = write_sampling_report(drawn, out, printed_at=PRINTED, invariant=True)
    pages, text = pdf_text(out.read_bytes())
    assert written.pages == pages and written.samples == ("case-supervision",)
    assert "Sampling report: Case supervision" in text
    assert "OFFICIAL-SENSITIVE" in text and f"Page 1 of {pages}" in text
    assert "Imported from nps.csv" in text and "1,000" in text
    assert "rounded up to 142" in text and "z = 1.2816" in text
    assert "Seed 2020" in text and "--seed 2020" in text
    assert "Re-drawn from the stored population with this seed: the same sample." in text
    # Every stratum with its population and sample counts, as the summary has them.
    for row in summary.strata:
        assert f"{' '.join(row.labels)} {row.population:,}" in text
    for share in summary.shares:
        assert f"{share.population_share:.1f}% {share.sample} {share.sample_share:.1f}%" in text
    # Margins of error for the whole sample and the sub-samples.
    assert f"Whole sample 1,000 142 ±{summary.achieved_margin:.1f}" in text
    female = next(s for s in summary.sub_samples if s.label == "Female cases")
    assert f"Female cases {female.population} {female.sample} ±{female.margin:.1f}" in text
    assert "PSO cases" in text and "RoSH high or very high" in text
    # The replacement, with its reason.
    [replacement] = summary.replacements
    assert f"{replacement.withdrawn} {replacement.replaced_by}" in text and "deceased" in text


def test_report_is_byte_stable_when_invariant(drawn: Service) -> None:
    first = sampling_report_pdf(drawn, printed_at=PRINTED, invariant=True)
    assert first == sampling_report_pdf(drawn, printed_at=PRINTED, invariant=True)


def test_preview_summary_before_the_draw(service: Service, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nps.csv", case_rows(300, seed=4))
    import_population(service, path, "case-supervision", mapping=ColumnMapping(MAPPING))
    summary = preview(service, plan_draw(service, "case-supervision", seed=1))
    assert not summary.drawn and summary.verified is None
    assert summary.n == summary.size.n == 107  # 164.25 / (1 + 163.25 / 300) = 106.4
    assert service.cases() == []


def test_nothing_drawn_nothing_to_report(service: Service, tmp_path: Path) -> None:
    with pytest.raises(FieldworkError, match="no sample has been drawn yet"):
        write_sampling_report(service, tmp_path / "r.pdf", printed_at=PRINTED)
    assert not (tmp_path / "r.pdf").exists()
