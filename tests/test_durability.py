"""Nothing whose commit returned is lost when the process is killed (SIGKILL) mid-work."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fieldwork.service import Service

WRITER = textwrap.dedent("""
    import sys
    from fieldwork.answers import Answer
    from fieldwork.service import Service
    service = Service.open(sys.argv[1], backup=False, user="writer")
    case = service.cases()[0]
    prompts = [i.item_id for i in service.case(case.id).items
               if i.applies and i.kind == "prompt"]
    k = int(sys.argv[2])
    print("ready", flush=True)
    while True:
        item = prompts[k % len(prompts)]
        service.answer(case.id, item, Answer.YES if k % 2 else Answer.NO)
        service.set_note(case.id, item, str(k))
        print(item, k, flush=True)  # only after the commit has returned
        k += 1
""")

KILLS = 12


@pytest.mark.slow
def test_sigkill_loses_no_committed_answer(tmp_path: Path) -> None:
    path = tmp_path / "durable.fieldwork"
    with Service.create(path, user="setup") as service:
        service.create_inspection("Durability")
        service.add_case(
            "case-supervision",
            "E000001",
            {"disposal": "post-release licence", "risk_of_harm_factors": True},
        )
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    acknowledged: dict[str, int] = {}
    k = 0
    for kill in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(k)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.25))  # let it write for a random while, then kill it
        os.kill(writer.pid, signal.SIGKILL)
        out, _ = writer.communicate()
        # The kill can land mid-print: only whole lines (ending in a newline) are acknowledged.
        for line in out.split("\n")[:-1]:
            item, n = line.split()
            acknowledged[item] = max(acknowledged.get(item, -1), int(n))
            k = max(k, int(n) + 1)
        k += 1

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"seed {seed}"
        stored = dict(conn.execute("SELECT item_id, note FROM responses"))
        conn.close()
        for item, n in acknowledged.items():
            assert int(stored[item]) >= n, f"kill {kill}, seed {seed}: {item} lost answer {n}"
    assert len(acknowledged) > 5, "the writer never got going"
    with Service.open(path, backup=False) as service:  # and the app still opens it
        assert service.cases()[0].status == "in progress"
