"""The database a store lives in: SQLite (embedded, WAL) or PostgreSQL.

Opening a :class:`Database` brings its schema to the newest Alembic revision.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")
_upgrade_lock = threading.Lock()


def utcnow() -> datetime:
    """The current UTC time, naive, as the store keeps every timestamp."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of the SQLite file at ``path``."""
    return f"sqlite:///{Path(path).expanduser()}"


class Database:
    """A SQLAlchemy engine plus the knowledge of which dialect it speaks.

    Args:
        url: An SQLAlchemy URL, e.g. ``sqlite:////home/me/.qruntime/runtime.db`` or
            ``postgresql+psycopg://user@host/db``.
        upgrade: Whether to apply pending migrations on open.
    """

    def __init__(self, url: str, *, upgrade: bool = True) -> None:
        self.url = url
        self.engine: Engine = _make_engine(url)
        if upgrade:
            self.upgrade()

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (no row locks: claims compare-and-set)."""
        return self.engine.dialect.name == "sqlite"

    def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision``."""
        with _upgrade_lock:
            if revision == "head" and self.current_revision() == head_revision():
                return
            from alembic import command

            config = _alembic_config()
            with self.engine.begin() as connection:
                if not self.is_sqlite:
                    # Several servers may start at once on one PostgreSQL.
                    connection.execute(text("SELECT pg_advisory_xact_lock(7240917)"))
                config.attributes["connection"] = connection
                command.upgrade(config, revision)

    def current_revision(self) -> str | None:
        """The Alembic revision the schema is at, or ``None`` when empty."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def head_revision() -> str:
    """The newest revision shipped with this version of qruntime."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def private_folder(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only its owner can enter.

    A folder that exists with wider permissions is narrowed to 0700: it holds
    every instance's circuits and results, and the admin token.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _private_sqlite_file(path: Path) -> None:
    # SQLite gives its -wal and -shm files the mode of the database file, so a
    # database made 0600 before SQLite first opens it keeps all three private.
    if not path.parent.exists():
        private_folder(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _private_sqlite_file(Path(path))
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool if path == ":memory:" else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode never corrupts; a power cut may lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
