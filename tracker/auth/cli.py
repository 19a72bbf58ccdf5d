from __future__ import annotations

import click

from tracker.auth import bp
from tracker.auth import services as users
from tracker.auth.rules import password_problems
from tracker.extensions import db


@bp.cli.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", prompt=True, help="The administrator's full name.")
@click.password_option(
    "--password", envvar="TRACKER_ADMIN_PASSWORD", help="Or set TRACKER_ADMIN_PASSWORD."
)
@click.option(
    "--break-glass",
    is_flag=True,
    help="Keep password sign-in open to this administrator when it is switched off for "
    "everyone else (for when the organisation's sign-in service is down).",
)
def create_admin(email: str, name: str, password: str, break_glass: bool) -> None:
    """Create an administrator, who can then create everyone else."""
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="--password")
    try:
        user = users.create_user(
            email=email,
            name=name,
            password=password,
            global_role="admin",
            is_break_glass=break_glass,
        )
    except users.UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created administrator {user.name} <{user.email}>.")
