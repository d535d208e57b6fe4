"""Bundles: export of a 200-case return bundle (signed and encrypted) against JSON-serialising
and zipping the same records (target ≤ 3× the floor), and the central import of 50 return
bundles holding 10,000 cases (target ≤ 20 s, with progress).

The data are made reproducibly, once per run, in the bench scratch folder: a central
workspace with 50 inspectors and the national sizes of the demo (7,000 / 2,400 / 600
cases), one assignment bundle per inspector opened into a laptop workspace, every case
answered there as the demo answers it, and one return bundle per laptop. Bundle
passphrases use scrypt's cheapest accepted cost while the data are made (that is not
measured); central's key file has the real cost, and unlocking it is inside the import time.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from benchmarks.harness import BenchData, Figure, timed
from fieldwork.bundles import crypto
from fieldwork.bundles.assignment import export_assignment, open_assignment
from fieldwork.bundles.importer import import_many
from fieldwork.bundles.returns import export_return
from fieldwork.demo import SAMPLES, _answer, _reference_rates
from fieldwork.keys import Keyring, init_central_keys
from fieldwork.service import Service

INSPECTORS = 50
NATIONAL = {"case-supervision": 7000, "court-reports": 2400, "victim": 600}
CENTRAL_PASS = "benchmark central passphrase"
LAPTOP_PASS = "benchmark laptop passphrase"
BUNDLE_PASS = "benchmark bundle passphrase"
CHEAP = crypto.SCRYPT_N_MIN


@dataclass(frozen=True)
class National:
    central: Path  # before any return bundle is imported
    bundles: tuple[Path, ...]
    laptops: tuple[Path, ...]


def _make_central(path: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    start = date(2020, 1, 13)
    with Service.create(path, user="lead") as central:
        central.create_inspection("National benchmark", provider="NPS")
        inspectors = [central.add_inspector(f"Inspector {n:02d}") for n in range(1, INSPECTORS + 1)]
        rows = []
        for sample, count in NATIONAL.items():
            pattern, attributes = SAMPLES[sample]
            for number in rng.sample(range(10_000, 999_999), count):
                owner = inspectors[len(rows) % INSPECTORS].id
                rows.append((sample, pattern.format(number), attributes(rng, start), owner))
        central.add_cases(rows)
        init_central_keys(central, Keyring.beside(path, CENTRAL_PASS))
        return [i.name for i in inspectors]


@cache
def national(folder: Path) -> National:
    """50 laptops and their return bundles, made once per run."""
    root = folder / "bundles-national"
    root.mkdir(exist_ok=True)
    central = root / "central.fieldwork"
    names = _make_central(central, seed=3)
    rates = _reference_rates()
    bundles, laptops = [], []
    with Service.open(central, user="lead", backup=False) as service:
        keyring = Keyring.beside(central, CENTRAL_PASS)
        assignments = [
            export_assignment(
                service,
                name,
                root / f"assignment-{n:02d}.fwb",
                passphrase=BUNDLE_PASS,
                keyring=keyring,
                kdf_n=CHEAP,
            ).path
            for n, name in enumerate(names, start=1)
        ]
    for n, assignment in enumerate(assignments, start=1):
        laptop = root / f"laptop-{n:02d}.fieldwork"
        keys = Keyring.beside(laptop, LAPTOP_PASS, kdf_n=CHEAP)
        open_assignment(assignment, laptop, passphrase=BUNDLE_PASS, keyring=keys)
        rng = random.Random(1000 + n)
        # A laptop's workspace is encrypted with the inspector's key passphrase.
        with Service.open(
            laptop, user=names[n - 1], backup=False, passphrase=LAPTOP_PASS
        ) as service:
            with service.workspace.write():
                for case in service.cases():
                    _answer(service, case.id, rng, rates, 1.0)
            bundles.append(export_return(service, root / f"return-{n:02d}.fwb", keyring=keys).path)
        laptops.append(laptop)
    return National(central, tuple(bundles), tuple(laptops))


def _export_figure(data: BenchData) -> Figure:
    world = national(data.folder)
    laptop = world.laptops[0]
    scratch = data.folder / "bundles-export"
    scratch.mkdir(exist_ok=True)
    keys = Keyring.beside(laptop, LAPTOP_PASS, kdf_n=CHEAP)
    with Service.open(laptop, backup=False, passphrase=LAPTOP_PASS) as service:
        cases = service.db.execute("SELECT count(*) FROM cases").fetchone()[0]
        counter = iter(range(1_000_000))

        def ours() -> None:
            export_return(service, scratch / f"r{next(counter)}.fwb", keyring=keys)

        ours()  # unlocks the signing key and warms the page cache

        def floor() -> None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for table in ("cases", "responses", "history"):
                    cursor = service.db.execute(f"SELECT * FROM {table}")
                    columns = [d[0] for d in cursor.description]
                    rows = [dict(zip(columns, row, strict=True)) for row in cursor]
                    archive.writestr(f"{table}.json", json.dumps(rows))
            (scratch / "floor.zip").write_bytes(buffer.getvalue())

        floor()
        ours_ms = timed(ours, repeat=7)
        floor_ms = timed(floor, repeat=7)
    return Figure(
        f"export a {cases}-case return bundle, signed and encrypted",
        ours_ms,
        "ms",
        "≤ 3 × the floor",
        floor=floor_ms,
        limit=3.0,
    )


def _import_figure(data: BenchData) -> Figure:
    world = national(data.folder)
    target = data.folder / "bundles-import" / "central.fieldwork"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(world.central, target)
    shutil.copytree(
        world.central.with_name("central.fieldwork.keys"),
        target.with_name("central.fieldwork.keys"),
    )
    steps: list[tuple[int, int, str]] = []
    with Service.open(target, user="data team", backup=False) as service:
        start = time.perf_counter()
        results = import_many(
            service,
            world.bundles,
            Keyring.beside(target, CENTRAL_PASS),
            progress=lambda *step: steps.append(step),
        )
        seconds = time.perf_counter() - start
        cases = service.db.execute("SELECT count(*) FROM cases").fetchone()[0]
        responses = service.db.execute("SELECT count(*) FROM responses").fetchone()[0]
    failed = [r for r in results if isinstance(r, Exception)]
    assert not failed, failed
    assert len(steps) == len(world.bundles) + 1
    return Figure(
        f"central import of {len(world.bundles)} return bundles ({cases:,} cases, "
        f"{responses:,} answers)",
        seconds,
        "s",
        "≤ 20 s, with progress",
        limit=20.0,
    )


def run(data: BenchData) -> list[Figure]:
    return [_export_figure(data), _import_figure(data)]
