from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tracker.audit import bp
from tracker.audit import services as audit
from tracker.audit.rules import AnchorError, key_id, parse_anchor
from tracker.core import sqlite
from tracker.extensions import db


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _key_from_env(variable: str, option: str) -> bytes:
    value = os.environ.get(variable)
    if not value:
        _fail(f"{option} {variable}: the environment variable {variable} is not set or empty.")
    return value.encode("utf-8")


@bp.cli.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also prove the trail still extends every anchor in this file.",
)
@click.option(
    "--anchor-key-env",
    "anchor_key_envs",
    multiple=True,
    metavar="VAR",
    help="An environment variable holding a key used before a rotation, to check anchors "
    "taken under it. May be given more than once.",
)
def verify(anchor_file: Path | None, anchor_key_envs: tuple[str, ...]) -> None:
    """Check every audit entry's keyed hash chain; exit 1 naming the first broken entry.

    With --anchor FILE, also check each anchor line in FILE (written by 'flask audit
    anchor'): its signature, that the entry it names still has the hash it recorded, and
    that the trail has not been cut back below it."""
    anchors = []
    if anchor_file is not None:
        if not anchor_file.is_file():
            _fail(f"There is no anchor file at {anchor_file}.")
        lines = [
            (number, line.strip())
            for number, line in enumerate(anchor_file.read_text().splitlines(), start=1)
            if line.strip()
        ]
        if not lines:
            _fail(f"{anchor_file} holds no anchors.")
        for number, line in lines:
            try:
                anchors.append((number, parse_anchor(line)))
            except AnchorError as error:
                _fail(f"{anchor_file} line {number} is not an anchor: {error}.")
    keys = {key_id(audit.audit_key()): audit.audit_key()}
    for variable in anchor_key_envs:
        key = _key_from_env(variable, "--anchor-key-env")
        keys[key_id(key)] = key

    with sqlite.reading():  # a long read: on SQLite, people's saves must not queue behind it
        result = audit.verify()
    if not result.is_intact:
        click.echo(str(result.broken), err=True)
        _fail(f"{result.checked} entries verified before the break.")
    click.echo(f"Audit trail intact: {result.checked} entries verified.")
    failures = 0
    for number, anchor in anchors:
        problem = audit.check_against(anchor, keys)
        if problem is None:
            click.echo(f"Anchor line {number} ({anchor}): the trail extends it.")
        else:
            failures += 1
            click.echo(f"Anchor line {number} ({anchor}) fails: {problem}.", err=True)
    db.session.rollback()
    if failures:
        _fail(f"{failures} of {len(anchors)} anchors fail.")


@bp.cli.command("anchor")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the anchor to this file instead of printing it.",
)
def anchor(output: Path | None) -> None:
    """Write a signed copy of the trail's head (entry number, hash, time, key id).

    Keep it somewhere the database's users cannot write (another server, the log
    collector, a ticket): 'flask audit verify --anchor FILE' proves the trail still extends
    it, which catches entries cut from the end and a trail rewritten after it."""
    try:
        signed = audit.anchor()
    except audit.AuditKeyError as error:
        _fail(str(error))
    finally:
        db.session.rollback()
    if output is None:
        click.echo(signed.line())
        return
    with output.open("a", encoding="utf-8") as file:
        file.write(signed.line() + "\n")
    click.echo(
        f"Anchored entry #{signed.seq} (key id {signed.key_id}) to {output}: keep a copy "
        "where the database's users cannot change it."
    )


@bp.cli.command("rekey")
@click.option(
    "--old-key-env",
    required=True,
    metavar="VAR",
    help="The environment variable holding the key the trail is written with now.",
)
def rekey(old_key_env: str) -> None:
    """Re-chain the trail under AUDIT_HMAC_KEY, after verifying it under the old key.

    Set AUDIT_HMAC_KEY to the new key and put the old one in another variable, named here.
    Nothing changes unless the whole trail verifies under the old key."""
    old_key = _key_from_env(old_key_env, "--old-key-env")
    try:
        done = audit.rekey(old_key)
    except audit.AuditKeyError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(
        f"Re-keyed the audit trail: {done.entries} entries moved from key id {done.old_key_id} "
        f"to {done.new_key_id}, and the re-key recorded. Take a new anchor now ('flask audit "
        f"anchor --output FILE'); anchors taken before are checked with --anchor-key-env "
        f"{old_key_env} while you keep the old key."
    )
