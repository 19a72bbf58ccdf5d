from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.backup import bp, services


def _summary(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} rows in {len(counts)} tables"


@bp.cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a consistent backup of the whole database to FILE."""
    if file.exists():
        click.echo(f"{file} already exists: choose a new file name.", err=True)
        sys.exit(1)
    try:
        services.backup(file)
    except services.BackupError as error:
        file.unlink(missing_ok=True)
        click.echo(str(error), err=True)
        sys.exit(1)
    counts = services.table_counts()
    click.echo(f"Backed up the {services.engine_name()} database to {file} ({_summary(counts)}).")


@bp.cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(file: Path, force: bool) -> None:
    """Restore the whole database from a backup FILE made by ``flask backup``.

    Refuses a database that already holds data unless --force is given."""
    try:
        services.restore(file, force=force)
    except services.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    counts = services.table_counts()
    click.echo(f"Restored {file} ({_summary(counts)}). Run 'flask audit verify' to check it.")
