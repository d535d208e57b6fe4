"""A run of imports killed (SIGKILL) between two bundles leaves central as it was: the run is
one transaction, so the bundle already written in it is gone too, and a new run takes both."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from fieldwork.answers import Answer
from fieldwork.bundles.batching import import_many
from tests import test_bundles_support as support
from tests.test_bundles_support import CENTRAL_PASS, World, table

encryption_key, world_template, world = (
    support.encryption_key,
    support.world_template,
    support.world,
)

# Imports the bundles; when the second one is about to be read (the first is written, not
# committed) it says so and waits to be killed.
IMPORTER = textwrap.dedent("""
    import sys, threading
    from fieldwork.bundles.batching import import_many
    from fieldwork.keys import Keyring
    from fieldwork.service import Service

    central, passphrase, *bundles = sys.argv[1:]

    def progress(done, total, what):
        if done == 1 and not what.endswith("rows"):
            print("between bundles", flush=True)
            threading.Event().wait()

    with Service.open(central, user="data team", backup=False) as service:
        import_many(service, bundles, Keyring.beside(central, passphrase), progress=progress)
    print("finished", flush=True)
""")

COUNTS = (
    "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM history), "
    "(SELECT count(*) FROM bundles WHERE direction = 'imported'), "
    "(SELECT count(*) FROM conflicts), (SELECT count(*) FROM case_reviews)"
)


@pytest.mark.slow
def test_a_run_killed_between_bundles_leaves_central_as_it_was(world: World) -> None:
    with world.open(world.tom, "Tom") as laptop:
        laptop.answer(laptop.find_case("E000009").id, "2.1.1.1", Answer.YES)
    tom = world.export_return(world.tom, "return-tom.fwb")
    bundles = [str(world.returned), str(tom)]
    with world.open_central() as central:
        before = table(central, COUNTS)
    importer = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(world.central), CENTRAL_PASS, *bundles],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert importer.stdout is not None
    assert importer.stdout.readline().strip() == "between bundles"
    os.kill(importer.pid, signal.SIGKILL)
    importer.communicate()

    conn = sqlite3.connect(world.central)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with world.open_central() as central:
        assert table(central, COUNTS) == before
        results = import_many(central, bundles, world.central_keys())
        assert not [r for r in results if isinstance(r, Exception)], results
        after = table(central, COUNTS)[0]
    assert after[0] > before[0][0] and after[2] == before[0][2] + 2
