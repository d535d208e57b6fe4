"""Allocating cases to inspectors: by hand, moved with a reason, or balanced."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldwork.allocation import (
    allocate_balanced,
    allocation,
    assign,
    find_inspector,
    move_case,
    unallocated,
)
from fieldwork.errors import InvalidChange
from fieldwork.service import CaseSummary, Service


def owners(path: Path) -> dict[str, str | None]:
    """Case reference -> inspector name, read straight from the file."""
    with sqlite3.connect(path) as conn:
        return dict(
            conn.execute(
                "SELECT c.reference, i.name FROM cases c "
                "LEFT JOIN inspectors i ON i.id = c.inspector_id"
            ).fetchall()
        )


@pytest.fixture
def team(service: Service) -> Service:
    for name in ("Tom", "Grace"):
        service.add_inspector(name)
    return service


def test_assign_gives_an_unallocated_case_an_owner_and_records_it(
    team: Service, make_case: Callable[..., CaseSummary], workspace_path: Path
) -> None:
    case = make_case()
    done = assign(team, case.id, "tom")
    assert done.inspector_name == "Tom"
    assert owners(workspace_path)[case.reference] == "Tom"
    last = team.history(case.id)[-1]
    assert (last.field, last.old, last.new) == ("inspector", None, "Tom")


def test_assign_refuses_a_case_that_has_an_owner(
    team: Service, make_case: Callable[..., CaseSummary], workspace_path: Path
) -> None:
    case = make_case()
    assign(team, case.id, "Tom")
    with pytest.raises(InvalidChange, match="allocated to Tom; move it"):
        assign(team, case.id, "Grace")
    assert owners(workspace_path)[case.reference] == "Tom"


def test_move_needs_a_reason_and_records_it(
    team: Service, make_case: Callable[..., CaseSummary], workspace_path: Path
) -> None:
    case = make_case()
    assign(team, case.id, "Tom")
    with pytest.raises(InvalidChange, match="needs a reason"):
        move_case(team, case.id, "Grace", "  ")
    moved = move_case(team, case.id, "Grace", "Tom is off sick")
    assert (moved.previous_inspector_name, moved.inspector_name) == ("Tom", "Grace")
    assert owners(workspace_path)[case.reference] == "Grace"
    last = team.history(case.id)[-1]
    assert (last.old, last.new, last.reason) == ("Tom", "Grace", "Tom is off sick")


def test_unknown_inspector_is_named_with_the_known_ones(team: Service) -> None:
    with pytest.raises(InvalidChange, match="no inspector 'Zoe'.*Grace, Helen, Tom"):
        find_inspector(team, "Zoe")


def test_balanced_allocation_evens_loads_and_keeps_clusters_together(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    for n in range(30):
        make_case(cluster=("Cheshire", "Cumbria", "Merseyside")[n % 3])
    result = allocate_balanced(team, None)
    assert len(result.assignments) == 30 and result.unallocated == ()
    assert sorted(load.cases for load in result.loads) == [10, 10, 10]
    # Three clusters of ten and three inspectors: each inspector works one cluster.
    assert all(len(load.locations) == 1 for load in result.loads)
    assert unallocated(team) == []


def test_balanced_allocation_respects_capacity_in_proportion(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    for _ in range(12):
        make_case(cluster="Cheshire")
    result = allocate_balanced(team, {"Helen": 8, "Tom": 4})
    assert (result.load("Helen").cases, result.load("Tom").cases) == (8, 4)
    assert result.load("Helen").capacity == 8


def test_cases_beyond_capacity_stay_unallocated_and_are_listed(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    cases = [make_case() for _ in range(5)]
    result = allocate_balanced(team, {"Tom": 3})
    assert result.load("Tom").cases == 3
    assert len(result.unallocated) == 2
    assert set(result.unallocated) <= {c.reference for c in cases}


def test_balanced_allocation_counts_cases_already_held(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    first = [make_case() for _ in range(4)]
    for case in first:
        assign(team, case.id, "Helen")
    for _ in range(8):
        make_case()
    result = allocate_balanced(team, None)
    assert [load.cases for load in result.loads] == [4, 4, 4]  # Grace, Helen, Tom
    assert all(a.inspector_name != "Helen" for a in result.assignments)


def test_dealt_in_turn_without_clusters(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    for n in range(9):
        make_case(cluster="Cheshire" if n < 6 else "Cumbria")
    result = allocate_balanced(team, None, by_cluster=False)
    per = Counter(a.inspector_name for a in result.assignments)
    assert sorted(per.values()) == [3, 3, 3]
    assert any(len(load.locations) == 2 for load in result.loads)


def test_no_inspector_to_allocate_to_is_a_clear_error(
    service: Service, make_case: Callable[..., CaseSummary]
) -> None:
    make_case()
    with pytest.raises(InvalidChange, match="no inspector to allocate"):
        allocate_balanced(service, {})


def test_allocation_summary_lists_every_inspector(
    team: Service, make_case: Callable[..., CaseSummary]
) -> None:
    assign(team, make_case(cluster="Cheshire").id, "Grace")
    loads = {load.name: load for load in allocation(team)}
    assert loads["Grace"].locations == {"Cheshire": 1}
    assert loads["Tom"].cases == 0
