from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fieldwork.answers import Answer
from fieldwork.framework import DEFAULT_FRAMEWORK, Framework, framework_by_id
from fieldwork.service import CaseSummary, Service


class FakeClock:
    """An injected clock that moves on one second per reading."""

    def __init__(self, start: datetime = datetime(2020, 1, 13, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture(autouse=True)
def _no_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real home directory or the user's Qt settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> object:
    """The window's Qt settings in the test's own folder (a GUI test's; Qt is imported
    only when one asks, so the core's tests run without it)."""
    from tests.test_gui_helpers import settings_in

    return settings_in(tmp_path)


@pytest.fixture(scope="session")
def framework() -> Framework:
    return framework_by_id(DEFAULT_FRAMEWORK)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "inspection.fieldwork"


@pytest.fixture
def service(workspace_path: Path, clock: FakeClock) -> Iterator[Service]:
    """A fresh workspace with an inspection and one inspector."""
    svc = Service.create(workspace_path, user="Helen", clock=clock)
    svc.create_inspection("North West", provider="NPS North West")
    svc.add_inspector("Helen")
    yield svc
    svc.close()


CASE_SUPERVISION = {
    "disposal": "community sentence",
    "gender": "male",
    "rosh": "medium",
    "risk_of_harm_factors": True,
    "children": False,
}


@pytest.fixture
def make_case(service: Service) -> Callable[..., CaseSummary]:
    counter = iter(range(1, 10_000))

    def make(sample: str = "case-supervision", **attributes: object) -> CaseSummary:
        base = dict(CASE_SUPERVISION) if sample == "case-supervision" else {}
        base.update(attributes)
        return service.add_case(sample, f"REF{next(counter):04d}", base)  # type: ignore[arg-type]

    return make


def answer_everything(service: Service, case_id: str) -> None:
    """Answer every applicable item of a case (Yes, with rationales and reasons)."""
    for item in service.case(case_id).items:
        if not item.applies:
            continue
        if item.kind == "judgement":
            service.judge(case_id, item.item_id, Answer.YES, rationale="Sound work throughout.")
        else:
            service.answer(case_id, item.item_id, Answer.YES)
