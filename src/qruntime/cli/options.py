"""Options shared by several commands, and where their defaults come from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qruntime.client.embedded import qruntime_home

console = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="QRUNTIME_DB_URL", show_default=False,
                 help="SQLAlchemy URL of the server's database "
                      "(default: the SQLite file QRUNTIME_HOME/server.db)."),
]


def database_url(db: str | None, home: Path | None = None) -> str:
    """``db``, or the server's SQLite file under ``QRUNTIME_HOME``."""
    from qruntime.engine.store import sqlite_url

    return db or sqlite_url((home or qruntime_home()) / "server.db")


def shown_url(url: str) -> str:
    """``url`` with any password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
