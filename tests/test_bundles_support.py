"""Shared set-up for the bundle tests: a small inspection taken through one round of
assignment and return, built once per session and copied for each test."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fieldwork.allocation import assign
from fieldwork.answers import Answer
from fieldwork.bundles import container, crypto
from fieldwork.bundles.assignment import export_assignment, open_assignment
from fieldwork.bundles.keystore import CENTRAL, ENCRYPTION, Keyring, active_key
from fieldwork.bundles.returns import export_return
from fieldwork.keys import init_central_keys
from fieldwork.service import Service
from tests.conftest import CASE_SUPERVISION, FakeClock

KDF_N = 2**14  # the cheapest cost readers accept: keeps the suite fast
CENTRAL_PASS = "central secret passphrase"
BUNDLE_PASS = "bundle passphrase for Helen"
TOM_BUNDLE_PASS = "bundle passphrase for Tom"
HELEN_PASS = "helen's key passphrase"
TOM_PASS = "tom's key passphrase"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class World:
    """Paths of a central workspace and two laptops, and the bundles between them."""

    folder: Path

    @property
    def central(self) -> Path:
        return self.folder / "central.fieldwork"

    @property
    def helen(self) -> Path:
        return self.folder / "helen.fieldwork"

    @property
    def tom(self) -> Path:
        return self.folder / "tom.fieldwork"

    @property
    def assignment(self) -> Path:
        return self.folder / "assignment-helen.fwb"

    @property
    def tom_assignment(self) -> Path:
        return self.folder / "assignment-tom.fwb"

    @property
    def returned(self) -> Path:
        return self.folder / "return-helen-1.fwb"

    def central_keys(self, passphrase: str = CENTRAL_PASS) -> Keyring:
        return Keyring.beside(self.central, passphrase, kdf_n=KDF_N)

    def helen_keys(self, passphrase: str = HELEN_PASS) -> Keyring:
        return Keyring.beside(self.helen, passphrase, kdf_n=KDF_N)

    def tom_keys(self, passphrase: str = TOM_PASS) -> Keyring:
        return Keyring.beside(self.tom, passphrase, kdf_n=KDF_N)

    def passphrase(self, path: Path) -> str | None:
        """A laptop's workspace is encrypted with its inspector's key passphrase."""
        return {self.helen: HELEN_PASS, self.tom: TOM_PASS}.get(path)

    def open(self, path: Path, user: str = "tester") -> Service:
        return Service.open(
            path, user=user, clock=FakeClock(), backup=False, passphrase=self.passphrase(path)
        )

    def open_central(self) -> Service:
        return self.open(self.central, "data team")

    def export_return(self, laptop: Path | None = None, name: str | None = None) -> Path:
        laptop = laptop or self.helen
        keys = self.helen_keys() if laptop == self.helen else self.tom_keys()
        with self.open(laptop, laptop.stem.title()) as service:
            target = self.folder / name if name else None
            return export_return(service, target, keyring=keys).path

    def export_assignment(self, inspector: str = "Helen", name: str | None = None) -> Path:
        passphrase = BUNDLE_PASS if inspector == "Helen" else TOM_BUNDLE_PASS
        with self.open_central() as service:
            target = self.folder / (name or f"assignment-{inspector.lower()}-next.fwb")
            return export_assignment(
                service,
                inspector,
                target,
                passphrase=passphrase,
                keyring=self.central_keys(),
                kdf_n=KDF_N,
            ).path

    def open_assignment(self, bundle: Path, inspector: str = "Helen") -> Any:
        laptop, keys, passphrase = (
            (self.helen, self.helen_keys(), BUNDLE_PASS)
            if inspector == "Helen"
            else (self.tom, self.tom_keys(), TOM_BUNDLE_PASS)
        )
        return open_assignment(
            bundle, laptop, passphrase=passphrase, keyring=keys, user=inspector, clock=FakeClock()
        )

    def unwrap(self, bundle: Path) -> tuple[container.SealedBundle, bytes]:
        """A return bundle's structure and its AES key (as central would unwrap it)."""
        sealed = container.read_sealed(bundle)
        with self.open_central() as service:
            record = active_key(service, CENTRAL, ENCRYPTION)
            assert record is not None
        private = self.central_keys().decryption_key(record)
        return sealed, crypto.unwrap_key(
            private, crypto.unb64(sealed.manifest.encryption["wrapped_key"])
        )

    def rewrite_return(
        self,
        source: Path,
        target: Path,
        *,
        contents: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None,
        manifest: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        members: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]] | None = None,
        signer: Any = None,
    ) -> Path:
        """Re-make a return bundle with changed contents, properly sealed and signed by Helen's
        key (or ``signer``): what a buggy or malicious client could send."""
        sealed, key = self.unwrap(source)
        plain = {name: sealed.open_entry(name, key) for name in sealed.manifest.entry_names()}
        if contents:
            plain = contents(plain)
        entries, stored = container.seal_entries(sealed.manifest.bundle_id, plain, key)
        data = {**sealed.manifest.data, "entries": entries}
        if manifest:
            data = manifest(data)
        raw = container.manifest_bytes(data)
        if signer is None:
            with self.open(self.helen) as service:
                from fieldwork.bundles import meta
                from fieldwork.bundles.keystore import SIGNING

                record = active_key(service, meta.get(service, meta.INSPECTOR_ID), SIGNING)
                assert record is not None
            signer = self.helen_keys().signing_key(record)
        parts = [(container.MANIFEST, raw), (container.SIGNATURE, crypto.sign(signer, raw))]
        parts += list(stored.items())
        if members:
            parts = members(parts)
        container.write_members(target, parts)
        return target


def copy_world(source: Path, target: Path) -> World:
    for item in source.iterdir():
        if item.name.endswith(".lock"):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        else:
            shutil.copy2(item, target / item.name)
    return World(target)


def build_world(folder: Path, encryption_key: rsa.RSAPrivateKey) -> World:
    world = World(folder)
    with Service.create(world.central, user="lead", clock=FakeClock()) as service:
        service.create_inspection("North West", provider="NPS North West")
        helen = service.add_inspector("Helen")
        tom = service.add_inspector("Tom")
        refs = []
        for n in range(1, 4):
            refs.append(service.add_case("case-supervision", f"E00000{n}", CASE_SUPERVISION))
        refs.append(service.add_case("victim", "VLU-00001", {"stage": "post-sentence"}))
        tom_case = service.add_case("case-supervision", "E000009", CASE_SUPERVISION)
        for case in refs:
            assign(service, case.id, helen.id)
        assign(service, tom_case.id, tom.id)
        init_central_keys(service, world.central_keys(), encryption_key=encryption_key)
        for name, passphrase, bundle in (
            ("Helen", BUNDLE_PASS, world.assignment),
            ("Tom", TOM_BUNDLE_PASS, world.tom_assignment),
        ):
            export_assignment(
                service,
                name,
                bundle,
                passphrase=passphrase,
                keyring=world.central_keys(),
                kdf_n=KDF_N,
            )
    world.open_assignment(world.assignment, "Helen")
    world.open_assignment(world.tom_assignment, "Tom")
    with world.open(world.helen, "Helen") as laptop:
        first = laptop.find_case("E000001")
        laptop.answer(first.id, "2.1.1.1", Answer.YES)
        laptop.answer(first.id, "2.1.1.2", Answer.NO)
        laptop.set_note(first.id, "2.1.1.2", "No record of the risk assessment.")
        laptop.judge(first.id, "2.1.1", Answer.NO, rationale="Key risks were missed.")
        export_return(laptop, world.returned, keyring=world.helen_keys())
    return world


@pytest.fixture(scope="session")
def encryption_key() -> rsa.RSAPrivateKey:
    return crypto.new_encryption_key()


@pytest.fixture(scope="session")
def world_template(
    tmp_path_factory: pytest.TempPathFactory, encryption_key: rsa.RSAPrivateKey
) -> Path:
    folder = tmp_path_factory.mktemp("world")
    build_world(folder, encryption_key)
    return folder


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Iterator[World]:
    target = tmp_path / "world"
    target.mkdir()
    yield copy_world(world_template, target)


def table(service: Service, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in service.db.execute(sql, list(params)).fetchall()]
