"""``qruntime serve``: the runtime over HTTP, simulating in worker processes only."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType
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
    from qruntime.engine.store import Database, private_folder
    from qruntime.server import create_app
    from qruntime.server.admin import first_start
    from qruntime.server.listener import listen

    _log_progress()
    home = private_folder(qruntime_home())
    settings = ServerSettings(
        host=host, port=port, database_url=database_url(db, home), workers=workers,
        max_body_bytes=int(max_body_mb * MIB), home=home, fresh_wait_seconds=fresh_wait,
    )
    engine = Engine(Database(settings.database_url), policy=settings.policy())
    try:
        created = first_start(engine.accounts, home) is not None
        console.print(banner(settings, created), soft_wrap=True, highlight=False)
        _exit_on_sigterm()
        # Workers start once the server listens, in the background: importing Qiskit
        # in them would otherwise compete with the server's own start for the cores.
        listen(create_app(engine, settings), settings, access_log, on_started=engine.warm_up)
    finally:
        engine.close()


def banner(settings: ServerSettings, created: bool) -> str:
    """How to connect: the URL, where the admin token is, a line to paste, the docs.

    The token itself is never printed: a banner ends up in whatever log captures
    the server's output. It is in a file only its owner can read.
    """
    from qruntime import __version__
    from qruntime.server.admin import admin_token_path

    from rich.markup import escape

    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = escape(f"http://{shown_host}:{settings.port}")
    path = escape(str(admin_token_path(settings.home or Path("."))))
    token_line = (f"Admin API token: written to {path} (mode 0600), readable by you alone"
                  if created else
                  f"Admin API token: in {path} (or make one: qruntime token create)")
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


def _log_progress() -> None:
    """Show the runtime's own progress lines (workers starting, noise models built)."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s qruntime: %(message)s", "%H:%M:%S"))
    root = logging.getLogger("qruntime")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    os.environ.setdefault("QRUNTIME_WORKER_LOG_LEVEL", "INFO")  # workers say what they build


def _exit_on_sigterm() -> None:
    # uvicorn re-raises the signal that stopped it once it has shut down. With the
    # default SIGTERM action the process would end there, skipping engine.close():
    # workers killed by the kernel, running jobs left RUNNING until their lease
    # lapses. As SystemExit, the finally clause closes the engine first.
    def stop(number: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + number)

    signal.signal(signal.SIGTERM, stop)
