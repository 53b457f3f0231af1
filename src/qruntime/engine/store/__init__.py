"""The runtime's persistent store: jobs, sessions, instances and tokens."""

from __future__ import annotations

from qruntime.engine.store.accounts import AccountStore, Principal
from qruntime.engine.store.database import Database, private_folder, sqlite_url, utcnow
from qruntime.engine.store.jobs import Claim, JobStore
from qruntime.engine.store.records import JobFilter, JobRecord, SessionRecord
from qruntime.engine.store.sessions import SessionStore

__all__ = [
    "private_folder",
    "AccountStore", "Claim", "Database", "JobFilter", "JobRecord", "JobStore", "Principal",
    "SessionRecord", "SessionStore", "sqlite_url", "utcnow",
]
