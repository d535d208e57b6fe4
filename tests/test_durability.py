"""Nothing whose commit returned is lost when the process is killed (SIGKILL) mid-work, in a
plain workspace and in an encrypted one (whose WAL frames are encrypted pages)."""

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
from fieldwork.store import connect, key_for

WRITER = textwrap.dedent("""
    import sys
    from fieldwork.answers import Answer
    from fieldwork.service import Service
    service = Service.open(
        sys.argv[1], backup=False, user="writer", passphrase=sys.argv[3] or None
    )
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
PASS = "lantern orbit mossy tundra"
COST = 14  # the cheapest accepted scrypt cost: each writer process derives the key once


def read(path: Path, passphrase: str) -> sqlite3.Connection:
    """A fresh connection to the file as the killed writer left it (the key, if encrypted)."""
    return connect(path, key_for(path, passphrase)) if passphrase else sqlite3.connect(path)


@pytest.mark.slow
@pytest.mark.parametrize("passphrase", ["", PASS], ids=["plain", "encrypted"])
def test_sigkill_loses_no_committed_answer(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "durable.fieldwork"
    with Service.create(
        path, user="setup", passphrase=passphrase or None, kdf_log2_n=COST
    ) as service:
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
            [sys.executable, "-c", WRITER, str(path), str(k), passphrase],
            stdout=subprocess.PIPE,
            text=True,
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

        conn = read(path, passphrase)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"seed {seed}"
        stored = dict(conn.execute("SELECT item_id, note FROM responses"))
        conn.close()
        for item, n in acknowledged.items():
            assert int(stored[item]) >= n, f"kill {kill}, seed {seed}: {item} lost answer {n}"
    assert len(acknowledged) > 5, "the writer never got going"
    if passphrase:  # what was written is encrypted: the file's first bytes are not SQLite's
        assert not path.read_bytes().startswith(b"SQLite format 3")
    with Service.open(path, backup=False, passphrase=passphrase or None) as service:
        # and the app still opens it
        assert service.cases()[0].status == "in progress"
