"""Bundles: export of a 200-case return bundle (signed and encrypted) against JSON-serialising
and zipping the same records (target ≤ 3× the floor); the central import of 50 return
bundles holding 10,000 cases (target ≤ 2× its floor and ≤ 20 s, with progress), the floor
being decrypting, decompressing and parsing the same bundles and inserting the same rows
with ``executemany`` into bare tables with the same indexes, in one transaction; and the
refusal of a hostile bundle (unregistered signer, up to a 2 GB file: ≤ 1 s and ≤ 100 MB of
extra memory, measured in a separate process).

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
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from pathlib import Path

from benchmarks.harness import BenchData, Figure, timed
from fieldwork.bundles import crypto
from fieldwork.bundles.assignment import export_assignment, open_assignment
from fieldwork.bundles.batching import CACHE_KIB, fewer_collections
from fieldwork.bundles.importer import import_many
from fieldwork.bundles.keystore import PublicKeyRecord
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
    floor_db = data.folder / "bundles-import" / "floor.sqlite"
    _import_floor(world, target, floor_db)  # warms the file cache for both, as a first run
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
    per_bundle = [s for s in steps if not s[2].endswith(" rows") and s[2] != "done"]
    assert len(per_bundle) == len(world.bundles) and steps[-1][2] == "done"
    assert any(s[2].endswith(" rows") for s in steps)  # and per 10,000 rows
    floor = _import_floor(world, target, floor_db)
    return Figure(
        f"central import of {len(world.bundles)} return bundles ({cases:,} cases, "
        f"{responses:,} answers)",
        seconds,
        "s",
        "≤ 2 × the floor, ≤ 20 s",
        floor=floor,
        limit=2.0,
        absolute_limit=20.0,
    )


def _import_floor(world: National, central: Path, target: Path) -> float:
    """Seconds to unlock central's key, decrypt, decompress and parse every bundle, and insert
    the same rows with executemany into bare tables with the same indexes, one transaction.

    The same PRAGMAs and collector thresholds as the import's run (WAL, full synchronous
    commits, its page cache, ``fewer_collections``), the same history rows (with the bundle
    and arrival time the import records beside each), and rows made from the parsed records
    the way the import makes them (``itemgetter``, not a Python loop per field): a floor
    slower than it need be would flatter the import."""
    from fieldwork.bundles.keystore import CENTRAL, ENCRYPTION, active_key

    with Service.open(world.central, backup=False) as service:
        record = active_key(service, CENTRAL, ENCRYPTION)
        assert record is not None
        schema = [
            row[0]
            for row in service.db.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name IN ('responses', 'history', "
                "'response_lineage') AND type IN ('table', 'index') AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target, isolation_level=None)
    for statement in schema:
        db.execute(statement.replace("REFERENCES cases(id)", ""))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    with fewer_collections():  # the collector's settings of the import's run, as its PRAGMAs
        return _floor_run(world, central, db, record)


def _floor_run(
    world: National, central: Path, db: sqlite3.Connection, record: PublicKeyRecord
) -> float:
    from fieldwork.bundles import container, records
    from fieldwork.bundles.returns import ENTRIES

    start = time.perf_counter()
    private = Keyring.beside(central, CENTRAL_PASS).decryption_key(record)
    db.execute("BEGIN")
    for path in world.bundles:
        sealed = container.read_sealed(path)
        key = crypto.unwrap_key(private, crypto.unb64(sealed.manifest.encryption["wrapped_key"]))
        opened = {
            name: records.from_entry(name, json.loads(sealed.open_entry(name, key)))
            for name in ENTRIES
        }
        responses = opened["responses.json"]
        db.executemany(
            f"INSERT INTO responses ({', '.join(records.RESPONSE_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(records.RESPONSE_FIELDS))})",
            map(itemgetter(*records.RESPONSE_FIELDS), responses),
        )
        db.executemany(
            "INSERT OR IGNORE INTO response_lineage (case_id, rev, parent) VALUES (?, ?, ?)",
            [(r["case_id"], r["rev"], a) for r in responses for a in r["ancestors"]],
        )
        received = datetime.now(UTC).isoformat(timespec="seconds")
        db.executemany(
            f"INSERT OR IGNORE INTO history ({', '.join(records.HISTORY_FIELDS)}, bundle_id, "
            f"received_at) VALUES ({', '.join('?' * (len(records.HISTORY_FIELDS) + 2))})",
            [(*row, sealed.manifest.bundle_id, received) for row in opened["history.json"]],
        )
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return seconds


HOSTILE = """
import resource, sys, time
from pathlib import Path
from fieldwork.bundles.importer import plan_import
from fieldwork.bundles.keystore import Keyring
from fieldwork.errors import FieldworkError
from fieldwork.service import Service

def peak():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])

central, warm, bundles = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
with Service.open(central, user="data team", backup=False) as service:
    keys = Keyring.beside(central, "unused: refused before any key is unlocked")
    try:  # a small hostile bundle first loads what every refusal needs
        plan_import(service, Path(warm), keys)
    except FieldworkError:
        pass
    base, worst = peak(), 0.0
    for path in bundles:
        start = time.perf_counter()
        try:
            plan_import(service, Path(path), keys)
            raise SystemExit(f"{path} was not refused")
        except FieldworkError:
            worst = max(worst, time.perf_counter() - start)
    print(worst, (peak() - base) / 1024)
"""


def _hostile_figure(data: BenchData) -> Figure:
    """A return bundle re-signed by an unregistered key whose stored entry is 200 MB, and a
    2 GB sparse file, refused at central: the slowest refusal and the memory it added."""
    import subprocess
    import sys

    from fieldwork.bundles import container
    from fieldwork.bundles.keystore import record_for

    world = national(data.folder)
    folder = data.folder / "bundles-hostile"
    folder.mkdir(exist_ok=True)
    stranger = crypto.new_signing_key()
    sealed = container.read_sealed(world.bundles[0])
    manifest = dict(sealed.manifest.data)
    big = 200 << 20
    manifest["entries"] = [
        {**e, "size": big} if e["name"] == "history.json" else e for e in manifest["entries"]
    ]
    carried = record_for(
        stranger, owner=sealed.manifest.inspector_id, purpose="signing", created_at="2026-01-01"
    )
    manifest["signature"] = {"algorithm": "ed25519", "key_id": carried.id}
    manifest["signer_keys"] = [carried.as_json()]
    raw = container.manifest_bytes(manifest)
    honest = container.manifest_bytes({**manifest, "entries": sealed.manifest.data["entries"]})
    hostile, warm = folder / "hostile.fwb", folder / "warm-up.fwb"
    with zipfile.ZipFile(hostile, "w") as archive, zipfile.ZipFile(warm, "w") as small:
        for out, text in ((archive, raw), (small, honest)):
            out.writestr(container.MANIFEST, text)
            out.writestr(container.SIGNATURE, crypto.sign(stranger, text))
        for entry in sealed.manifest.entries:
            small.writestr(entry.name, sealed.stored(entry.name))
            with archive.open(entry.name, "w", force_zip64=True) as member:
                if entry.name == "history.json":
                    for _ in range(big >> 20):
                        member.write(bytes(1 << 20))
                else:
                    member.write(sealed.stored(entry.name))
    sparse = folder / "sparse.fwb"
    with sparse.open("wb") as fh:
        fh.truncate(2 << 30)
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE, str(world.central), str(warm), str(hostile), str(sparse)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, megabytes = (float(x) for x in done.stdout.split())
    for path in (hostile, warm, sparse):
        path.unlink()
    return Figure(
        f"refuse a hostile bundle (unregistered signer, 200 MB entry; 2 GB file), "
        f"{megabytes:.1f} MB extra memory",
        seconds * 1000,
        "ms",
        "≤ 1 s and ≤ 100 MB",
        limit=1000.0 if megabytes <= 100 else 0.0,
    )


def run(data: BenchData) -> list[Figure]:
    return [_export_figure(data), _import_figure(data), _hostile_figure(data)]
