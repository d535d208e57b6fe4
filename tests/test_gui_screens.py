"""The workbench on laptop and desktop screens: 1280×720, 1366×768 and 1920×1080, at 100 %,
125 % and 150 % scaling (issue 15). Each combination runs in its own process
(``tests/screen_probe.py``), since the scale factor is fixed when Qt starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("1280x720", "1366x768", "1920x1080")
SCALES = ("1", "1.25", "1.5")


def probe(size: str, scale: str, folder: Path) -> dict:
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)  # the probe sets its own screen
    done = subprocess.run(
        [sys.executable, "-m", "tests.screen_probe", size, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("size", SIZES)
def test_every_view_and_dialog_fits_the_screen(size, scale, tmp_path):
    found = probe(size, scale, tmp_path)
    width, height = (int(n) for n in size.split("x"))
    factor = float(scale)
    logical = [width / factor, height / factor]
    assert all(abs(got - want) <= 1 for got, want in zip(found["screen"], logical, strict=True))
    assert found["fits"] and found["fits_after_case"], found
    # the judgement panel lists the prompts' answers at least 40 characters wide
    assert found["answer_list_chars"] >= 40, found
    assert {
        "settings",
        "about",
        "keys",
        "reason",
        "saved",
        "export",
        "make keys",
        "open_setup",
        "open_import",
        "open_allocation",
        "sample",
        "dashboard",
        "interview",
    } <= set(found["dialogs"])
    assert found["problems"] == []
