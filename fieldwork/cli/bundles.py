"""Bundle, key and sync commands: ``keys``, ``export``, ``import``, ``verify``, ``sync``,
``conflicts``, ``resolve`` and ``comment`` (central set-up is in ``fieldwork.cli.setup``).

Passphrases are never given on the command line (they would land in the shell's
history): each is read from a file named with ``--key-passphrase-file`` or
``--bundle-passphrase-file``, from the environment (``FIELDWORK_KEY_PASSPHRASE``,
``FIELDWORK_BUNDLE_PASSPHRASE``), or asked for at the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from fieldwork.bundles import meta
from fieldwork.bundles.assignment import export_assignment, open_assignment
from fieldwork.bundles.batching import import_many, preview_many
from fieldwork.bundles.conflicts import add_qa_comment, conflicts, resolve
from fieldwork.bundles.merging import ImportPlan
from fieldwork.bundles.returns import export_return
from fieldwork.bundles.sync import sync
from fieldwork.bundles.verify import verify_bundle
from fieldwork.errors import FieldworkError, InvalidChange
from fieldwork.keys import (
    Keyring,
    init_central_keys,
    keys_dir,
    revoke_inspector_keys,
    rotate_central_keys,
    rotate_inspector_key,
)
from fieldwork.keys import (
    describe as describe_keys,
)
from fieldwork.service import Service
from fieldwork.store import is_encrypted

KEY_ENV = "FIELDWORK_KEY_PASSPHRASE"
BUNDLE_ENV = "FIELDWORK_BUNDLE_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    _register_keys(subparsers)

    export = subparsers.add_parser(
        "export",
        help="write a bundle: an inspector's assignment (central) or your return (laptop)",
        description="In the central workspace, write the assignment bundle of --inspector, "
        "protected by a passphrase you give them. In an inspector's fieldwork workspace, write "
        "the return bundle: all your work, encrypted to the inspectorate and signed by you.",
    )
    export.add_argument("workspace", type=Path, help="the workspace file")
    export.add_argument("--inspector", metavar="NAME", help="whose assignment (central only)")
    export.add_argument("-o", "--output", type=Path, help="the bundle file to write")
    _passphrase_options(export)
    export.set_defaults(run=run_export)

    imp = subparsers.add_parser(
        "import",
        help="import return bundles (central) or open an assignment bundle (laptop)",
        description="In the central workspace, import return bundles: each is checked whole, "
        "previewed and committed in one transaction. Given an assignment bundle, create or "
        "update the inspector's fieldwork workspace WORKSPACE.",
    )
    imp.add_argument(
        "workspace", type=Path, help="the workspace file (created for a first assignment)"
    )
    imp.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE", help="bundle files")
    imp.add_argument(
        "--preview",
        action="store_true",
        help="show what would be new, updated and in conflict, and change nothing",
    )
    _passphrase_options(imp)
    imp.set_defaults(run=run_import)

    verify = subparsers.add_parser(
        "verify",
        help="check and describe a bundle without importing it",
        description="Check a bundle's structure, manifest and entry hashes and describe it. "
        "With --workspace (central, for a return bundle) or --bundle-passphrase-file (an "
        "assignment), also check its signature, decryption, schemas and references.",
    )
    verify.add_argument("bundle", type=Path, help="the bundle file")
    verify.add_argument("--workspace", type=Path, help="the central workspace (return bundles)")
    verify.add_argument(
        "--passphrase", action="store_true", help="ask for an assignment's passphrase"
    )
    _passphrase_options(verify)
    verify.set_defaults(run=run_verify)

    syn = subparsers.add_parser(
        "sync",
        help="exchange bundles through the workspace's sync folder",
        description="On a laptop: open new assignment bundles for you found in the folder and "
        "write your newest return bundle there. At the centre: import every new return bundle. "
        "A log is kept beside the workspace (WORKSPACE.sync.log).",
    )
    syn.add_argument("workspace", type=Path, help="the workspace file")
    syn.add_argument("--folder", type=Path, help="the sync folder (remembered for next time)")
    _passphrase_options(syn)
    syn.set_defaults(run=run_sync)

    con = subparsers.add_parser("conflicts", help="list conflicts kept for the data team")
    con.add_argument("workspace", type=Path, help="the central workspace")
    con.add_argument("--all", action="store_true", help="include resolved conflicts")
    con.set_defaults(run=run_conflicts)

    res = subparsers.add_parser("resolve", help="resolve a conflict by keeping one version")
    res.add_argument("workspace", type=Path, help="the central workspace")
    res.add_argument("conflict", help="the conflict's id (the first characters are enough)")
    res.add_argument(
        "--keep",
        choices=("current", "incoming"),
        required=True,
        help="current: central's version; incoming: the bundle's",
    )
    res.add_argument("--reason", default="", help="why, for the history")
    res.set_defaults(run=run_resolve)

    com = subparsers.add_parser(
        "comment", help="add a quality-assurance comment to a case (sent with the next assignment)"
    )
    com.add_argument("workspace", type=Path, help="the central workspace")
    com.add_argument("case", metavar="REF", help="the case reference")
    com.add_argument("item", help="the prompt or key question id ('' for the whole case)")
    com.add_argument("text", help="the comment")
    com.set_defaults(run=run_comment)


def _register_keys(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    keys = subparsers.add_parser(
        "keys",
        help="make, list, rotate and revoke keys",
        description="Private keys live in WORKSPACE.keys/ beside the workspace (or --keys DIR), "
        "each sealed under your passphrase.",
    )
    actions = keys.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text, run in (
        ("init", "make the inspectorate's keys (central, once)", run_keys_init),
        ("list", "list the keys this workspace knows", run_keys_list),
        (
            "rotate",
            "replace your keys: the inspectorate's (central) or yours (laptop)",
            run_keys_rotate,
        ),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("workspace", type=Path, help="the workspace file")
        _passphrase_options(action)
        action.set_defaults(run=run)
    revoke = actions.add_parser(
        "revoke", help="retire an inspector's key (a lost laptop); the next assignment issues one"
    )
    revoke.add_argument("workspace", type=Path, help="the central workspace")
    revoke.add_argument("--inspector", required=True, metavar="NAME")
    revoke.set_defaults(run=run_keys_revoke)


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keys",
        type=Path,
        metavar="DIR",
        help="the keys folder (default: WORKSPACE.keys beside the workspace)",
    )
    parser.add_argument(
        "--key-passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read your key passphrase from FILE (or set {KEY_ENV})",
    )
    parser.add_argument(
        "--bundle-passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read the bundle passphrase from FILE (or set {BUNDLE_ENV})",
    )


def _secret(file: Path | None, env: str, prompt: str) -> str:
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InvalidChange(
                f"cannot read the passphrase file ({exc.strerror})", file=str(file)
            ) from None
        if not text:
            raise InvalidChange("the passphrase file is empty", file=str(file))
        return text
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise InvalidChange(f"a passphrase is needed: give a passphrase file or set {env}")
    return getpass.getpass(prompt)


def _keyring(args: argparse.Namespace, workspace: Path) -> Keyring:
    def ask() -> str:
        return _secret(args.key_passphrase_file, KEY_ENV, "Passphrase of your keys: ")

    return Keyring(args.keys or keys_dir(workspace), ask)


def _bundle_passphrase(args: argparse.Namespace) -> Callable[[], str]:
    return lambda: _secret(args.bundle_passphrase_file, BUNDLE_ENV, "Bundle passphrase: ")


def _open(args: argparse.Namespace, path: Path | None = None) -> Service:
    # A laptop's workspace is encrypted with the key passphrase: a key passphrase file
    # given opens it too (else FIELDWORK_PASSPHRASE or the terminal, fieldwork.cli.security).
    where = path or args.workspace
    key_file = getattr(args, "key_passphrase_file", None)
    passphrase = (
        _secret(key_file, KEY_ENV, "") if key_file is not None and is_encrypted(where) else None
    )
    return Service.open(where, user=args.user, passphrase=passphrase)


# -- keys ---------------------------------------------------------------------------------------
def run_keys_init(args: argparse.Namespace) -> int:
    with _open(args) as service:
        records = init_central_keys(service, _keyring(args, args.workspace))
    for record in records:
        print(f"Made the inspectorate's {record.purpose} key {record.short}")
    print(f"Private keys: {args.keys or keys_dir(args.workspace)} (keep a copy somewhere safe)")
    return 0


def run_keys_list(args: argparse.Namespace) -> int:
    with _open(args) as service:
        lines = describe_keys(service)
    print("\n".join(lines) if lines else "No keys yet.")
    return 0


def run_keys_rotate(args: argparse.Namespace) -> int:
    with _open(args) as service:
        keyring = _keyring(args, args.workspace)
        if meta.is_laptop(service):
            record = rotate_inspector_key(service, keyring)
            print(f"Your new signing key is {record.short}; your next return bundle tells central.")
        else:
            for record in rotate_central_keys(service, keyring):
                print(f"New {record.purpose} key {record.short}; the old one is retired.")
            print("Laptops trust the new keys through the next assignment bundle they open.")
    return 0


def run_keys_revoke(args: argparse.Namespace) -> int:
    from fieldwork.allocation import find_inspector

    with _open(args) as service:
        inspector = find_inspector(service, args.inspector)
        retired = revoke_inspector_keys(service, inspector.id)
    print(
        f"Retired {len(retired)} key(s) of {inspector.name}; their next assignment issues "
        "a new one."
    )
    return 0


# -- export / import / verify -----------------------------------------------------------------
def run_export(args: argparse.Namespace) -> int:
    with _open(args) as service:
        keyring = _keyring(args, args.workspace)
        if meta.is_laptop(service):
            result = export_return(service, args.output, keyring=keyring)
        else:
            if not args.inspector:
                raise InvalidChange("name the inspector whose assignment to write: --inspector")
            result = export_assignment(
                service,
                args.inspector,
                args.output,
                passphrase=_bundle_passphrase(args)(),
                keyring=keyring,
            )
    counts = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items() if k != "history_seq"
    )
    print(
        f"Wrote {result.kind} bundle {result.sequence} for {result.inspector_name}: "
        f"{result.path} ({counts})"
    )
    if result.issued_key:
        print(
            f"It carries {result.inspector_name}'s new signing key {result.issued_key[:16]}; "
            "give them the passphrase separately (by phone, not with the file), with the "
            f"inspectorate's key fingerprint {result.signer_key} for them to check."
        )
    return 0


def run_import(args: argparse.Namespace) -> int:
    workspace: Path = args.workspace
    if not workspace.exists() or _is_laptop(args, workspace):
        return _open_assignments(args, workspace)
    refused = 0

    def show(plan: ImportPlan) -> None:
        print("\n".join(plan.describe()))
        if not plan.already_imported and not args.preview:
            print(f"Imported {plan.path.name}.")

    with _open(args) as service:
        keyring = _keyring(args, workspace)
        if args.preview:
            results: list[object] = list(preview_many(service, args.bundles, keyring))
        else:  # the one import path, shared with sync
            results = list(import_many(service, args.bundles, keyring, on_plan=show))
    for result in results:
        if isinstance(result, FieldworkError):
            refused += 1
            print(f"fieldwork: error: {result.message}", file=sys.stderr)
        elif args.preview and isinstance(result, ImportPlan):
            show(result)
    if args.preview:
        print("Preview only: nothing was changed.")
    return 1 if refused else 0


def _is_laptop(args: argparse.Namespace, workspace: Path) -> bool:
    with _open(args, workspace) as service:
        return meta.is_laptop(service)


def _open_assignments(args: argparse.Namespace, workspace: Path) -> int:
    if args.preview:
        raise InvalidChange("--preview is for return bundles at the centre; use 'fieldwork verify'")
    passphrase = _bundle_passphrase(args)
    for bundle in args.bundles:
        opened = open_assignment(
            bundle,
            workspace,
            passphrase=passphrase(),
            keyring=_keyring(args, workspace),
            user=args.user,
        )
        if opened.already_opened:
            print(f"{bundle.name} was already opened here: nothing to do.")
            continue
        verb = "Created" if opened.created else "Updated"
        print(
            f"{verb} {workspace} from assignment {opened.sequence} for {opened.inspector_name}:"
            f" {len(opened.new_cases)} new cases, {len(opened.released_cases)} withdrawn"
            " (moved to another inspector: read-only here), "
            f"{opened.new_comments} new comments."
        )
        if opened.created:
            print(
                f"The inspectorate's key is {opened.central_key}: check it against the "
                "fingerprint your lead inspector gave you with the passphrase."
            )
        elif opened.central_key_changed:
            print(
                f"The inspectorate's key changed to {opened.central_key}, endorsed by the key "
                "you had; check it with your lead inspector."
            )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    passphrase = None
    if args.passphrase or args.bundle_passphrase_file or os.environ.get(BUNDLE_ENV):
        passphrase = _bundle_passphrase(args)()
    if args.workspace:
        with _open(args, args.workspace) as service:
            result = verify_bundle(
                args.bundle,
                service=service,
                keyring=_keyring(args, args.workspace),
                passphrase=passphrase,
            )
    else:
        result = verify_bundle(args.bundle, passphrase=passphrase)
    print("\n".join(result.lines))
    if not result.signature_checked:
        print(
            "The signature was not checked against a key this workspace trusts (see above): "
            "the bundle is not verified.",
            file=sys.stderr,
        )
        return 2
    return 0


# -- sync, conflicts, comments ----------------------------------------------------------------
def run_sync(args: argparse.Namespace) -> int:
    def progress(done: int, total: int, what: str) -> None:
        print(f"[{done}/{total}] {what}", file=sys.stderr)

    with _open(args) as service:
        ask = _bundle_passphrase(args)
        report = sync(
            service,
            _keyring(args, args.workspace),
            folder=args.folder,
            passphrase=lambda _path: ask(),
            progress=progress,
        )
    print(f"Synced with {report.folder}:")
    for line in report.log:
        print(f"  {line}")
    return 1 if report.failed else 0


def run_conflicts(args: argparse.Namespace) -> int:
    with _open(args) as service:
        found = conflicts(service, include_resolved=args.all)
    if not found:
        print("No conflicts.")
    for conflict in found:
        done = f"  [resolved: kept {conflict.resolution}]" if conflict.resolved_at else ""
        print(conflict.describe() + done)
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    with _open(args) as service:
        conflict = resolve(service, args.conflict, args.keep, reason=args.reason)
    print(
        f"Resolved {conflict.short_id}: kept the {conflict.resolution} version of "
        f"{conflict.item_id} in case {conflict.case_reference}."
    )
    return 0


def run_comment(args: argparse.Namespace) -> int:
    with _open(args) as service:
        case = service.find_case(args.case)
        add_qa_comment(service, case.id, args.item, args.text)
    print(f"Comment added to case {case.reference}; it goes out with the next assignment.")
    return 0
