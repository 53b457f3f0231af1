"""``qruntime token create|revoke``: API tokens of an instance, stored as hashes only."""

from __future__ import annotations

from typing import Annotated

import typer

from qruntime.cli.options import DbOption, console, database_url

app = typer.Typer(no_args_is_help=True, help="Create and revoke API tokens.")


@app.command()
def create(
    instance: Annotated[str, typer.Option(help="The token's instance, hub/group/project.")],
    label: Annotated[str, typer.Option(help="A note to tell tokens apart.")] = "",
    user: Annotated[str, typer.Option(help="The user id the token speaks for.")] = "user",
    admin: Annotated[bool, typer.Option("--admin", help="Make an admin token.")] = False,
    db: DbOption = None,
) -> None:
    """Create an API token and print it: it is shown this once, only its hash is kept."""
    from qruntime.engine.store import AccountStore, Database

    database = Database(database_url(db))
    try:
        accounts = AccountStore(database)
        secret = accounts.create_token(instance, user_id=user, label=label, is_admin=admin)
        token_id = accounts.authenticate(secret).token_id
    finally:
        database.dispose()
    console.print(f"token id [bold]{token_id}[/] for instance [bold]{instance}[/] "
                  "(shown once; revoke it with `qruntime token revoke ID`):")
    typer.echo(secret)


@app.command()
def revoke(
    token_id: Annotated[str, typer.Argument(help="The id printed by `token create`.")],
    db: DbOption = None,
) -> None:
    """Revoke a token by its id."""
    from qruntime.engine.store import AccountStore, Database

    database = Database(database_url(db))
    try:
        AccountStore(database).revoke(token_id)
    finally:
        database.dispose()
    console.print(f"token {token_id} revoked.")
