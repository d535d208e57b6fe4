"""Sampling: importing a 10,000-case population, previewing and storing a draw, the report.

targets.md sets no target for sampling; the figures are printed so that a change that
makes it slow is seen. Floors measured in the same run, in turn with the import
(``harness.paired_measured``), give a sense of scale: reading the same file with the csv
module (or openpyxl) alone.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import openpyxl

from benchmarks.harness import BenchData, Figure, paired_measured
from fieldwork.allocation import allocate_balanced
from fieldwork.sampling.draw import Eligibility, draw_sample, plan_draw
from fieldwork.sampling.population import import_population
from fieldwork.sampling.reader import ColumnMapping
from fieldwork.sampling.report import sampling_report_pdf
from fieldwork.sampling.summary import preview, sampling_summary
from fieldwork.service import Service

SIZE = 10_000
HEADINGS = ["CRN", "Sex", "Disposal", "RoSH", "Sentence date", "Cluster", "Grade", "Ethnicity"]
MAPPING = ColumnMapping({"Sex": "gender", "Grade": "officer_grade"})
WINDOW = Eligibility(date(2019, 6, 13), date(2019, 7, 13))


def _rows(count: int) -> list[list[object]]:
    rng = random.Random(5)
    return [
        [
            f"E{n:06d}",
            rng.choices(["Male", "Female"], weights=[8, 2])[0],
            rng.choice(["Community sentence", "Post-release licence"]),
            rng.choices(["Low", "Medium", "High", "Very high"], weights=[2, 5, 3, 1])[0],
            (date(2019, 5, 1) + timedelta(days=rng.randint(0, 120))).strftime("%d/%m/%Y"),
            rng.choice(["Cheshire", "Cumbria and Lancashire", "Greater Manchester", "Merseyside"]),
            rng.choices(["PO", "PSO", "PQiP"], weights=[6, 3, 1])[0],
            rng.choice(["White", "Ethnic minority", "Not known"]),
        ]
        for n in range(count)
    ]


def _workspace(folder: Path, name: str) -> Service:
    service = Service.create(folder / f"{name}.fieldwork", user="bench")
    service.create_inspection("Bench", fieldwork_start=date(2020, 1, 13))
    for n in range(12):
        service.add_inspector(f"Inspector {n:02d}")
    return service


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(data: BenchData) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-sampling-") as name:
        folder = Path(name)
        rows = _rows(SIZE)
        csv_path = folder / "population.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADINGS)
            writer.writerows(rows)
        xlsx_path = folder / "population.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADINGS)
        for row in rows:
            sheet.append(row)
        book.save(xlsx_path)

        def read_csv() -> None:
            with csv_path.open(newline="", encoding="utf-8") as fh:
                list(csv.reader(fh))

        def read_xlsx() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(xlsx_path, read_only=True, data_only=True)
                list(wb.worksheets[0].iter_rows(values_only=True))
                wb.close()

        attempts = iter(range(1000))

        def importing(path: Path) -> Callable[[], float]:
            def import_once() -> float:  # into a fresh workspace, made outside the timing
                service = _workspace(folder, f"import{next(attempts)}")
                try:
                    return _once(
                        lambda: import_population(
                            service, path, "case-supervision", mapping=MAPPING
                        )
                    )
                finally:
                    service.close()

            return import_once

        # each import in turn with its floor, so that both see the same load
        for path, floor, kind in ((csv_path, read_csv, "CSV"), (xlsx_path, read_xlsx, ".xlsx")):
            measured = paired_measured(importing(path), partial(_once, floor), 3)
            figures.append(
                measured.figure(f"population import, {SIZE:,} rows ({kind})", "ms", "— (none set)")
            )

        service = _workspace(folder, "draw")
        import_population(service, csv_path, "case-supervision", mapping=MAPPING)
        preview_ms = min(
            _once(
                lambda: preview(
                    service, plan_draw(service, "case-supervision", 1, eligibility=WINDOW)
                )
            )
            for _ in range(3)
        )
        figures.append(
            Figure(
                f"draw preview from {SIZE:,} cases (Sample dialog)",
                preview_ms,
                "ms",
                "— (none set)",
            )
        )
        draw_ms = _once(lambda: draw_sample(service, "case-supervision", 1, eligibility=WINDOW))
        figures.append(
            Figure("draw stored: members, cases and history", draw_ms, "ms", "— (none set)")
        )
        summary_ms = min(
            _once(lambda: sampling_summary(service, "case-supervision")) for _ in range(3)
        )
        figures.append(
            Figure("sampling summary with re-draw check", summary_ms, "ms", "— (none set)")
        )
        moment = datetime(2020, 1, 13, tzinfo=UTC)
        report_ms = min(
            _once(lambda: sampling_report_pdf(service, printed_at=moment)) for _ in range(3)
        )
        figures.append(Figure("sampling report PDF", report_ms, "ms", "— (none set)"))
        allocate_ms = _once(lambda: allocate_balanced(service, None))
        figures.append(
            Figure(
                "balanced allocation of the sample, 12 inspectors",
                allocate_ms,
                "ms",
                "— (none set)",
            )
        )
        service.close()
    return figures
