"""``qruntime backends`` and ``qruntime jobs``: tables of what a runtime holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from qruntime.cli.options import DbOption, console, database_url
from qruntime.server.admin import DEFAULT_INSTANCE


def backends() -> None:
    """List the backends offered (built in, plus those of QRUNTIME_BACKENDS)."""
    from qruntime.backends.catalog import default_catalog

    table = Table("name", "qubits", "simulator", "description")
    for entry in default_catalog().entries():
        table.add_row(entry.name, str(entry.num_qubits), "yes" if entry.is_simulator else "no",
                      entry.description or entry.kind)
    console.print(table)


def jobs(
    instance: Annotated[str, typer.Option(help="Whose jobs, hub/group/project.")] =
    DEFAULT_INSTANCE,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    db: DbOption = None,
) -> None:
    """List an instance's most recent jobs."""
    from qruntime.engine import Engine
    from qruntime.engine.store import Database

    engine = Engine(Database(database_url(db)), run_jobs=False)
    try:
        page = engine.jobs(instance, limit=limit)
    finally:
        engine.close()
    table = Table("id", "state", "program", "backend", "created", "session",
                  title=f"{instance}: {len(page['jobs'])} of {page['count']} jobs")
    for job in page["jobs"]:
        table.add_row(job["id"], job["state"]["status"], job["program"]["id"], job["backend"],
                      job["created"], job["session_id"] or "")
    console.print(table)
