"""Instances and API tokens. Tokens are stored only as SHA-256 hashes.

Tokens are 256-bit random strings, so an unsalted SHA-256 is enough: there is
no dictionary to attack, and a lookup by hash stays one indexed read.

An access token (from a login) names the API token it was minted from, and is
valid only while that one is: every authentication reads both rows in one
query, so revoking an API token ends its access tokens at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from qruntime.engine.store.database import Database, utcnow
from qruntime.engine.store.schema import instances, tokens
from qruntime.errors import AuthenticationError, InvalidInputError, NotFoundError


@dataclass(frozen=True)
class Principal:
    """Who a token speaks for."""

    instance: str
    user_id: str
    is_admin: bool = False
    token_id: str = ""


def hash_token(token: str) -> str:
    """The hash under which ``token`` is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_instance_name(name: str) -> str:
    """Return ``name`` if it is ``hub/group/project``; raise otherwise."""
    parts = name.split("/")
    if len(parts) != 3 or not all(p and p.replace("-", "").replace("_", "").isalnum()
                                  for p in parts):
        raise InvalidInputError(
            f"instance {name!r} is not of the form hub/group/project "
            "(letters, digits, '-' and '_')."
        )
    return name


#: The tokens table again, as the API token an access token was minted from.
_PARENT = tokens.alias("parent")


def _valid(row: Row[Any], now: datetime) -> bool:
    """Whether a token's row, joined with its parent's, is live, and its parent too."""
    if not _live(row.revoked, row.expires, now):
        return False
    if row.parent_id is None:
        return True
    return row.parent_found is not None and _live(row.parent_revoked, row.parent_expires, now)


def _live(revoked: bool, expires: datetime | None, now: datetime) -> bool:
    return not revoked and (expires is None or expires >= now)


class AccountStore:
    """The instances and tokens tables."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine

    def ensure_instance(self, name: str) -> None:
        """Create the instance ``name`` unless it exists."""
        check_instance_name(name)
        try:
            with self._engine.begin() as conn:
                if conn.execute(select(instances.c.name).where(instances.c.name == name)).first():
                    return
                conn.execute(insert(instances).values(name=name, created=utcnow()))
        except IntegrityError:
            pass  # created by a concurrent caller

    def instance_names(self) -> list[str]:
        """Every instance's name."""
        with self._engine.connect() as conn:
            return sorted(r.name for r in conn.execute(select(instances.c.name)))

    def create_token(
        self, instance: str, *, user_id: str = "user", label: str = "", is_admin: bool = False,
        kind: str = "api", ttl: timedelta | None = None, parent_id: str | None = None,
    ) -> str:
        """Create a token for ``instance`` and return it; only its hash is kept.

        A token with ``parent_id`` (the id of the API token a login traded)
        is valid only while that token is.
        """
        self.ensure_instance(instance)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self._engine.begin() as conn:
            conn.execute(
                insert(tokens).values(
                    id=secrets.token_hex(8), token_hash=hash_token(token), instance=instance,
                    user_id=user_id, label=label, is_admin=is_admin, created=now,
                    expires=now + ttl if ttl else None, revoked=False, kind=kind,
                    parent_id=parent_id,
                )
            )
        return token

    def authenticate(self, token: str | None, *, kind: str | None = None) -> Principal:
        """The principal of ``token``; :class:`AuthenticationError` if none is valid."""
        if not token:
            raise AuthenticationError("a token is required.")
        query = (
            select(tokens, _PARENT.c.id.label("parent_found"),
                   _PARENT.c.revoked.label("parent_revoked"),
                   _PARENT.c.expires.label("parent_expires"))
            .select_from(tokens.outerjoin(_PARENT, _PARENT.c.id == tokens.c.parent_id))
            .where(tokens.c.token_hash == hash_token(token))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or not _valid(row, utcnow()):
            raise AuthenticationError("the token is not valid.")
        if kind is not None and row.kind != kind:
            raise AuthenticationError("the token is not valid here.")
        return Principal(row.instance, row.user_id, row.is_admin, row.id)

    def revoke(self, token_id: str) -> None:
        """Revoke the token with id ``token_id``, and so every access token minted from it."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(tokens).where(tokens.c.id == token_id).values(revoked=True)
            )
        if result.rowcount == 0:
            raise NotFoundError(f"token {token_id} not found.")

    def purge_expired(self, before: datetime | None = None) -> None:
        """Revoke access tokens past their expiry."""
        with self._engine.begin() as conn:
            conn.execute(
                update(tokens)
                .where(tokens.c.expires < (before or utcnow()))
                .values(revoked=True)
            )
