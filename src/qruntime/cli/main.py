"""The ``qruntime`` command: one small function per subcommand."""

from __future__ import annotations

import typer

from qruntime.cli import account, db, listing, serve, token

app = typer.Typer(
    name="qruntime", no_args_is_help=True, add_completion=False,
    help="qruntime: a self-hosted Qiskit Runtime.",
)
app.command()(serve.serve)
app.command()(listing.backends)
app.command()(listing.jobs)
app.command(name="save-account")(account.save_account)
app.add_typer(token.app, name="token")
app.add_typer(db.app, name="db")

if __name__ == "__main__":  # pragma: no cover
    app()
