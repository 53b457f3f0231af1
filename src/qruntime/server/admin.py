"""First start: the default instance and an admin API token, kept in ``QRUNTIME_HOME``."""

from __future__ import annotations

import os
from pathlib import Path

from qruntime.engine.store import AccountStore

DEFAULT_INSTANCE = "ibm-q/open/main"
ADMIN_TOKEN_FILE = "admin-token"


def admin_token_path(home: Path) -> Path:
    """Where the first start's admin token is written."""
    return home / ADMIN_TOKEN_FILE


def first_start(accounts: AccountStore, home: Path) -> str | None:
    """On a database with no instance, create the default one and an admin token.

    The token is written to ``home/admin-token`` (mode 0600) and returned; only
    its hash is stored. Returns ``None`` when the database was not empty.
    """
    if accounts.instance_names():
        return None
    token = accounts.create_token(DEFAULT_INSTANCE, user_id="admin", label="admin",
                                  is_admin=True)
    write_secret(admin_token_path(home), token)
    return token


def write_secret(path: Path, secret: str) -> None:
    """Write ``secret`` to ``path``, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(secret + "\n")
