"""``qruntime serve``: the runtime over HTTP, simulating in worker processes only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qruntime.cli.options import DbOption, console, database_url, shown_url
from qruntime.server.settings import DEFAULT_PORT, MIB, ServerSettings


def serve(
    host: Annotated[str, typer.Option(envvar="QRUNTIME_HOST", help="Address to listen on.")] =
    "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="QRUNTIME_PORT", help="Port to listen on.")] =
    DEFAULT_PORT,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(
        envvar="QRUNTIME_WORKERS", min=1, help="Simulation worker processes.")] = 2,
    max_body_mb: Annotated[float, typer.Option(
        envvar="QRUNTIME_MAX_BODY_MB", min=0.001, help="Largest request body, in MiB.")] = 50,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    fresh_wait: Annotated[float, typer.Option(
        envvar="QRUNTIME_FRESH_WAIT", min=0, max=5,
        help="Seconds a status read of a just-submitted job waits for it to finish "
             "(0: never waits).")] = 0.1,
) -> None:
    """Serve the Qiskit Runtime REST protocol (and qruntime's client) over HTTP."""
    from qruntime.client.embedded import qruntime_home
    from qruntime.engine import Engine
    from qruntime.engine.store import Database
    from qruntime.server import create_app
    from qruntime.server.admin import first_start
    from qruntime.server.listener import listen

    home = qruntime_home()
    settings = ServerSettings(
        host=host, port=port, database_url=database_url(db, home), workers=workers,
        max_body_bytes=int(max_body_mb * MIB), home=home, fresh_wait_seconds=fresh_wait,
    )
    engine = Engine(Database(settings.database_url), policy=settings.policy())
    try:
        token = first_start(engine.accounts, home)
        engine.warm_up()
        console.print(banner(settings, token), soft_wrap=True, highlight=False)
        listen(create_app(engine, settings), settings, access_log)
    finally:
        engine.close()


def banner(settings: ServerSettings, token: str | None) -> str:
    """How to connect: the URL, the admin token or where it is, a line to paste, the docs."""
    from qruntime import __version__
    from qruntime.server.admin import admin_token_path

    from rich.markup import escape

    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = escape(f"http://{shown_host}:{settings.port}")
    path = escape(str(admin_token_path(settings.home or Path("."))))
    if token is not None:
        token_line = (f"Admin API token (shown once; saved to {path}, mode 0600):\n"
                      f"  [bold]{token}[/]")
        token_arg = f'"{token}"'
    else:
        token_line = f"Admin API token: in {path} (or make one: qruntime token create)"
        token_arg = f'open("{path}").read().strip()'
    lines = [
        f"[bold]qruntime {__version__}[/] serving at [bold]{url}[/]",
        f"database {escape(shown_url(settings.database_url))}; "
        f"{settings.workers} worker processes; "
        f"request bodies up to {settings.max_body_bytes / MIB:g} MiB",
        "",
        token_line,
        "",
        "Connect (qruntime, or stock qiskit_ibm_runtime 0.34):",
        f'  service = QiskitRuntimeService(channel="ibm_quantum", url="{url}", '
        f"token={token_arg})",
        "Stock clients: `qruntime save-account --stock --url "
        f"{url}/api --token TOKEN` (qiskit-ibm-runtime 0.40+: README, 'Use the stock client')",
        "",
        f"API docs: {url}/docs",
    ]
    return "\n".join(lines)
