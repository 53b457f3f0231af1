"""Identifiers of jobs and sessions: 20 lowercase letters and digits, like the service's."""

from __future__ import annotations

import base64
import secrets


def new_id() -> str:
    """A new random id for a job or a session: 20 characters, 100 bits of randomness."""
    return base64.b32encode(secrets.token_bytes(15))[:20].decode().lower()
