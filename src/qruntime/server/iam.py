"""IBM Cloud IAM emulation: ``POST /identity/token`` trades an API key for a JWT.

Stock 0.51-era clients (``ibm_cloud`` / ``ibm_quantum_platform``, with
``IAM_URL`` pointing here) decode the JWT without checking its signature but
need its ``exp`` and ``iat`` claims. The JWT carries a random access token in
its ``qrt`` claim; only that token's hash is stored, so the server keeps no
signing secret: a JWT is valid exactly while its access token is, and that one
only while the API key it was traded for is not revoked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Response

from qruntime.errors import InvalidInputError
from qruntime.server import openapi
from qruntime.server.body import RawBody
from qruntime.server.responses import json_response
from qruntime.server.security import log_in
from qruntime.server.types import Runtime, Settings

router = APIRouter(tags=["auth"])
CLAIM = "qrt"
APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


@router.post("/identity/token", openapi_extra=openapi.IAM_FORM)
def identity_token(raw: RawBody, engine: Runtime, settings: Settings) -> Response:
    """Trade an API key (form field ``apikey``) for an IAM-style bearer JWT."""
    form = _form(raw)
    grant = form.get("grant_type", APIKEY_GRANT)
    if grant != APIKEY_GRANT:
        raise InvalidInputError(f"grant_type {grant!r} is not supported; use {APIKEY_GRANT!r}.")
    access, principal = log_in(engine, form.get("apikey"), settings.access_token_ttl, "iam")
    ttl = int(settings.access_token_ttl.total_seconds())
    now = int(time.time())
    return json_response({
        "access_token": issue(access, settings.access_token_ttl, principal.user_id, now),
        "refresh_token": "not_supported", "token_type": "Bearer", "expires_in": ttl,
        "expiration": now + ttl, "scope": "ibm openid",
    })


def issue(access_token: str, ttl: timedelta, subject: str, now: int | None = None) -> str:
    """A JWT carrying ``access_token``, with ``iat`` and ``exp`` claims."""
    issued = int(time.time()) if now is None else now
    claims = {"iat": issued, "exp": issued + int(ttl.total_seconds()), "sub": subject,
              "iss": "qruntime", CLAIM: access_token}
    head = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    # Keyed by the access token itself: well-formed, and meaningful to no one else.
    signature = hmac.new(access_token.encode(), f"{head}.{body}".encode(), hashlib.sha256)
    return f"{head}.{body}.{_b64_bytes(signature.digest())}"


def access_token_of(jwt: str) -> str | None:
    """The access token inside a JWT issued here, or ``None`` if it holds none."""
    try:
        claims = json.loads(_unb64(jwt.split(".")[1]))
    except (IndexError, ValueError, binascii.Error):
        return None
    token = claims.get(CLAIM) if isinstance(claims, dict) else None
    return token if isinstance(token, str) else None


def _form(raw: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(raw.decode(), strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"request body is not URL-encoded text: {exc}") from exc
    return {name: values[-1] for name, values in fields.items()}


def _b64(value: dict[str, Any]) -> str:
    return _b64_bytes(json.dumps(value, separators=(",", ":")).encode())


def _b64_bytes(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
