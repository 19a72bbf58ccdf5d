"""``flask method …``: the method model for the PMO, over files of answers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.methods import bp, rules

BAD_INPUT = 2


@bp.cli.command("recommend")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def recommend(file: Path) -> None:
    """Recommend a delivery method for each set of answers in FILE (JSON; - for stdin).

    FILE holds one answers object or a list of them, with the keys U1…U7, F1…F3, C1, R1…R4
    (whole numbers 1 to 5), team_size and culture, and optionally project (a label) and
    size_tier. Prints the results as JSON in the same shape. On bad input, prints what is
    wrong in which record and exits with status 2, having assessed nothing.
    """
    try:
        with click.open_file(str(file), "rb") as stream:
            raw = stream.read()
    except OSError as error:
        _fail(f"Cannot read {file}: {error.strerror or error}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{file} is not UTF-8 text")
    try:
        results = rules.parse_batch(text)
    except rules.BatchError as error:
        _fail(str(error))
    as_list = text.lstrip().startswith("[")
    click.echo(json.dumps(results if as_list else results[0], indent=2, ensure_ascii=False))


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(BAD_INPUT)
