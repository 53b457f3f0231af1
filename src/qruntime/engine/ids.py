"""Identifiers of jobs and sessions: 20 lowercase letters and digits, like the service's."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id() -> str:
    """A new random id for a job or a session (about 103 bits of randomness)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))
