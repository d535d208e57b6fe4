"""Drawing the sample: eligibility, proportion, reproducibility, the reserve and replacements."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.errors import InvalidChange
from fieldwork.sampling.draw import (
    Eligibility,
    allocate,
    draw_number,
    draw_sample,
    plan_draw,
    read_exclusions,
    replace_case,
    stratify,
    supervision_window,
)
from fieldwork.sampling.population import PopulationCase, import_population
from fieldwork.sampling.reader import ColumnMapping
from fieldwork.sampling.summary import sampling_summary
from fieldwork.service import Service
from tests.conftest import answer_everything
from tests.test_sampling_support import MAPPING, case_rows, write_csv

SAMPLE = "case-supervision"
KEYS = ("gender", "disposal", "rosh")


@pytest.fixture
def with_population(service: Service, tmp_path: Path) -> Service:
    """The service fixture's workspace with a 1,000-case population imported."""
    path = write_csv(tmp_path / "nps.csv", case_rows(1_000, seed=11))
    import_population(service, path, SAMPLE, mapping=ColumnMapping(MAPPING))
    return service


def strata_counts(service: Service) -> Counter[tuple[str, str, str]]:
    return Counter(
        (c.attributes["gender"], c.attributes["disposal"], c.attributes["rosh"])
        for c in service.cases()
        if c.sample == SAMPLE
    )


# -- proportional allocation ------------------------------------------------------------------
def test_largest_remainders_share_the_size_exactly() -> None:
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    # exact shares 4.7, 2.9, 2.4: floors 4, 2, 2 and the last case to the largest remainder.
    assert allocate({"a": 47, "b": 29, "c": 24}, 10) == {"a": 5, "b": 3, "c": 2}


def test_a_stratum_that_would_get_nothing_is_served_first() -> None:
    # Exact shares 4, 3.67 and 0.33: by remainders alone "tiny" would get nothing.
    sizes = {"big": 60, "mid": 55, "tiny": 5}
    counts = allocate(sizes, 8)
    assert counts["tiny"] == 1 and sum(counts.values()) == 8
    for key, size in sizes.items():
        assert abs(counts[key] - Fraction(8 * size, 120)) < 1


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=12),
    share=st.fractions(min_value=0, max_value=1),
)
def test_allocation_sums_to_n_within_one_case_of_proportional(
    sizes: list[int], share: Fraction
) -> None:
    total = sum(sizes)
    n = int(total * share)
    counts = allocate(dict(enumerate(sizes)), n)
    assert sum(counts.values()) == n
    for key, size in enumerate(sizes):
        assert 0 <= counts[key] <= size
        if total:
            assert abs(counts[key] - Fraction(n * size, total)) < 1


cases_strategy = st.lists(
    st.tuples(
        st.sampled_from(["male", "female"]),
        st.sampled_from(["community sentence", "post-release licence"]),
        st.sampled_from(["low", "medium", "high", "very high"]),
    ),
    min_size=1,
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(rows=cases_strategy, share=st.fractions(min_value=0, max_value=1), seed=st.integers(0, 9))
def test_any_population_gives_a_sample_whose_strata_sum_to_n(
    rows: list[tuple[str, str, str]], share: Fraction, seed: int
) -> None:
    cases = [
        PopulationCase(i, f"R{i:04d}", i + 2, dict(zip(KEYS, r, strict=True)), {})
        for i, r in enumerate(rows)
    ]
    n = int(len(cases) * share)
    drawn = stratify(cases, KEYS, n, seed)
    assert sum(len(s.sample) for s in drawn) == n
    assert sum(s.population for s in drawn) == len(cases)
    taken = [c.reference for s in drawn for c in (*s.sample, *s.reserve)]
    assert sorted(taken) == sorted(c.reference for c in cases)  # each case once
    for s in drawn:
        assert abs(len(s.sample) - Fraction(n * s.population, len(cases))) < 1


# -- the draw ---------------------------------------------------------------------------------
def test_draw_is_reproducible_from_its_seed_and_differs_for_another(
    with_population: Service,
) -> None:
    first = plan_draw(with_population, SAMPLE, seed=2020).references()
    again = plan_draw(with_population, SAMPLE, seed=2020).references()
    other = plan_draw(with_population, SAMPLE, seed=2021).references()
    assert first == again
    assert first != other
    assert len(first) == len(other) == 142  # N = 1,000 at 80% ± 5


def test_the_draw_order_is_sha256_of_seed_and_reference() -> None:
    import hashlib

    assert draw_number(7, "E000001") == hashlib.sha256(b"7:E000001").hexdigest()[:16]


def test_stored_draw_adds_the_cases_and_matches_the_population_strata(
    with_population: Service, workspace_path: Path
) -> None:
    draw = draw_sample(with_population, SAMPLE, seed=5)
    assert len(draw.case_ids) == 142
    counts = strata_counts(with_population)
    assert sum(counts.values()) == 142
    for stratum in draw.plan.strata:
        assert counts[stratum.key] == len(stratum.sample)  # type: ignore[index]
        assert abs(len(stratum.sample) - stratum.exact) < 1
    with sqlite3.connect(workspace_path) as conn:
        seed, size = conn.execute("SELECT seed, size FROM sample_draws").fetchone()
        roles = dict(conn.execute("SELECT role, count(*) FROM sample_members GROUP BY role"))
    assert (seed, size) == (5, 142)
    assert roles == {"sample": 142, "reserve": 858}


def test_a_sample_is_drawn_once_and_its_population_is_then_fixed(
    with_population: Service, tmp_path: Path
) -> None:
    draw_sample(with_population, SAMPLE, seed=5)
    with pytest.raises(InvalidChange, match="already drawn \\(seed 5"):
        draw_sample(with_population, SAMPLE, seed=6)
    path = write_csv(tmp_path / "again.csv", case_rows(20))
    with pytest.raises(InvalidChange, match="cannot be replaced"):
        import_population(with_population, path, SAMPLE, mapping=ColumnMapping(MAPPING))


def test_the_summary_re_draws_the_stored_sample(with_population: Service) -> None:
    draw_sample(with_population, SAMPLE, seed=99)
    summary = sampling_summary(with_population, SAMPLE)
    assert summary.verified is True
    assert summary.n == 142 and summary.seed == 99
    assert summary.largest_difference < 2.0  # shares within 2 points of the population's


def test_no_population_is_a_clear_error(service: Service) -> None:
    with pytest.raises(InvalidChange, match="no population has been imported"):
        plan_draw(service, SAMPLE, seed=1)


# -- eligibility ------------------------------------------------------------------------------
def test_supervision_window_is_six_to_seven_months_before_fieldwork() -> None:
    assert supervision_window(date(2020, 1, 13)) == (date(2019, 6, 13), date(2019, 7, 13))
    assert supervision_window(date(2020, 8, 31), 6, 7) == (date(2020, 1, 31), date(2020, 2, 29))


def test_each_filter_reports_what_it_removed(with_population: Service) -> None:
    cases = case_rows(1_000, seed=11)
    in_window = [
        r for r in cases if "2019-06-10" <= "-".join(reversed(r[4].split("/"))) <= "2019-06-30"
    ]
    excluded = (in_window[0][0], in_window[1][0], "NOT-A-CASE")
    eligibility = Eligibility(date(2019, 6, 10), date(2019, 6, 30), excluded)
    draw = plan_draw(with_population, SAMPLE, seed=1, eligibility=eligibility)
    window, exclusions = draw.filters
    assert window.removed == 1_000 - len(in_window)
    assert exclusions.removed == 2
    assert exclusions.not_found == ("NOT-A-CASE",)
    assert draw.eligible_size == len(in_window) - 2
    assert draw.size.n == draw.n
    chosen = set(draw.references())
    assert not chosen & set(excluded)


def test_exclusion_lists_are_read_one_reference_a_line() -> None:
    text = "# already inspected\nE000001\nE000002,in custody\n\n E000001 \n"
    assert read_exclusions(text) == ("E000001", "E000002")


def test_a_window_for_a_sample_without_a_date_is_refused(service: Service, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "victims.csv", [["V1", "Post-sentence"]], ("Reference", "Stage"))
    import_population(service, path, "victim")
    with pytest.raises(InvalidChange, match="no date to filter on"):
        plan_draw(service, "victim", seed=1, eligibility=Eligibility(date_from=date(2019, 1, 1)))


# -- the reserve --------------------------------------------------------------------------------
def test_replacement_takes_the_next_reserve_case_and_records_the_reason(
    with_population: Service, workspace_path: Path
) -> None:
    draw_sample(with_population, SAMPLE, seed=3)
    before = strata_counts(with_population)
    victim = with_population.cases()[0]
    with_population.add_inspector("Tom")
    from fieldwork.allocation import assign

    assign(with_population, victim.id, "Tom")
    answer_everything(with_population, victim.id)
    key = (victim.attributes["gender"], victim.attributes["disposal"], victim.attributes["rosh"])
    stratum = next(s for s in plan_draw(with_population, SAMPLE, seed=3).strata if s.key == key)

    done = replace_case(with_population, victim.id, "in custody for the whole fieldwork period")

    assert done.case.reference == stratum.reserve[0].reference  # the next in draw order
    assert done.case.inspector_name == "Tom"
    assert strata_counts(with_population) == before  # the ratios are kept
    assert victim.reference not in {c.reference for c in with_population.cases()}
    replaced = [h for h in with_population.history() if h.field == "replaced"]
    assert [(h.old, h.new, h.reason) for h in replaced] == [
        (victim.reference, done.case.reference, "in custody for the whole fieldwork period")
    ]
    # Nothing the inspector entered is lost: the withdrawn case's answers are archived.
    with sqlite3.connect(workspace_path) as conn:
        record = json.loads(
            conn.execute(
                "SELECT record FROM withdrawn_cases WHERE case_id = ?", [victim.id]
            ).fetchone()[0]
        )
    assert record["case"]["reference"] == victim.reference
    assert len(record["related"]["responses"]) == done.archived["responses"] > 0
    summary = sampling_summary(with_population, SAMPLE)
    assert summary.verified is True
    assert [(r.withdrawn, r.replaced_by) for r in summary.replacements] == [
        (victim.reference, done.case.reference)
    ]


def test_replacement_needs_a_reason_and_a_drawn_case(
    with_population: Service, make_case: object
) -> None:
    draw_sample(with_population, SAMPLE, seed=3)
    case = with_population.cases()[0]
    with pytest.raises(InvalidChange, match="needs a reason"):
        replace_case(with_population, case.id, " ")
    by_hand = with_population.add_case("court-reports", "PSR-1", {})
    with pytest.raises(InvalidChange, match="not drawn from an imported population"):
        replace_case(with_population, by_hand.id, "wrong court")


def test_a_used_up_reserve_is_a_clear_error(service: Service, tmp_path: Path) -> None:
    rows = [[f"V{n}", "post-sentence" if n < 3 else "pre-release"] for n in range(6)]
    path = write_csv(tmp_path / "victims.csv", rows, ("Reference", "Stage"))
    import_population(service, path, "victim")
    draw_sample(service, "victim", seed=1, size=4)
    pre = [c for c in service.cases() if c.attributes["stage"] == "pre-release"]
    assert len(pre) == 2  # 3 of 6 pre-release → 2 of 4
    replace_case(service, pre[0].id, "no victim contact details")
    with pytest.raises(InvalidChange, match="reserve list of the stratum pre-release is used up"):
        replace_case(service, pre[1].id, "victim declined")


# -- the other samples --------------------------------------------------------------------------
def test_court_reports_are_stratified_by_report_type_and_agency(
    service: Service, tmp_path: Path
) -> None:
    types = ["Oral", "Short Format", "Standard delivery"]
    agencies = ["NPS", "CRC", "not allocated"]
    rows = [
        [f"PSR-{n:04d}", types[n % 3], agencies[(n // 3) % 3], f"2019-10-{7 + n % 7:02d}", "Bury"]
        for n in range(400)
    ]
    headings = ("Report", "Report type", "Allocated to", "Completed", "Court")
    path = write_csv(tmp_path / "psr.csv", rows, headings)
    import_population(
        service, path, "court-reports", mapping=ColumnMapping({"Report": "reference"})
    )
    week = Eligibility(date(2019, 10, 7), date(2019, 10, 11))
    draw = draw_sample(service, "court-reports", seed=1, eligibility=week)
    assert draw.plan.plan.strata == ("report_type", "allocated_to")
    assert len(draw.plan.strata) == 9
    assert draw.plan.filters[0].removed == sum(1 for r in rows if r[3] > "2019-10-11")
    assert draw.plan.n == len(service.cases())


def test_strata_can_be_chosen_per_draw(with_population: Service) -> None:
    draw = plan_draw(with_population, SAMPLE, seed=1, strata=["officer_grade"])
    assert [s.key for s in draw.strata] == [("PO",), ("PSO",), ("PQiP",)]
    with pytest.raises(InvalidChange, match="cannot stratify by shoe_size"):
        plan_draw(with_population, SAMPLE, seed=1, strata=["shoe_size"])


def test_replacement_archives_what_other_features_hold_on_the_case(
    with_population: Service, workspace_path: Path
) -> None:
    """A case already sent to an inspector and commented on by QA can still be replaced."""
    draw_sample(with_population, SAMPLE, seed=3)
    case = with_population.cases()[0]
    now = with_population.workspace.now()
    with with_population.workspace.write() as db:
        db.execute(
            "INSERT INTO sent_cases (case_id, inspector_id, attributes, sent_at) "
            "VALUES (?, 'someone', '{}', ?)",
            [case.id, now],
        )
        db.execute(
            "INSERT INTO qa_comments (id, case_id, item_id, comment, author, created_at) "
            "VALUES ('qa1', ?, '2.1.1', 'Check the OASys date', 'QA', ?)",
            [case.id, now],
        )
    done = replace_case(with_population, case.id, "transferred out of the division")
    assert done.archived == {"sent_cases": 1, "qa_comments": 1}
    with sqlite3.connect(workspace_path) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM sent_cases), (SELECT count(*) FROM qa_comments)"
        ).fetchone()
        record = json.loads(conn.execute("SELECT record FROM withdrawn_cases").fetchone()[0])
    assert left == (0, 0)
    assert record["related"]["qa_comments"][0]["comment"] == "Check the OASys date"
