"""``qruntime db upgrade``: bring a database's schema to this version's."""

from __future__ import annotations

import typer

from qruntime.cli.options import DbOption, console, database_url, shown_url

app = typer.Typer(no_args_is_help=True, help="Manage the server's database.")


@app.command()
def upgrade(db: DbOption = None) -> None:
    """Apply pending schema migrations."""
    from qruntime.engine.store import Database

    url = database_url(db)
    database = Database(url, upgrade=False)
    try:
        before = database.current_revision()
        database.upgrade()
        after = database.current_revision()
    finally:
        database.dispose()
    console.print(f"{shown_url(url)}: schema {before or 'empty'} -> {after}.")
