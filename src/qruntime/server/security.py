"""Who is calling: tokens from request headers resolved to a :class:`Principal`.

Accepted, each resolved through :meth:`AccountStore.authenticate`:

* ``Authorization: Bearer <API token>`` (qruntime's client) or
  ``Authorization: Bearer <JWT from /identity/token>`` (stock IAM clients);
* ``X-Access-Token: <access token from /api/users/loginWithToken>`` (stock
  ``ibm_quantum`` clients);
* ``Authorization: apikey <API token>`` (stock ``ibm_cloud`` clients).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.datastructures import Headers

from qruntime.engine import Engine
from qruntime.engine.store import Principal
from qruntime.errors import AuthenticationError
from qruntime.server.settings import ServerSettings

MISSING = ("a token is required: send 'Authorization: Bearer <API token>' "
           "(or the access token of a login as 'X-Access-Token').")


# Trivial dependencies are coroutines: FastAPI runs a plain ``def`` dependency
# in the thread pool, a hop that costs more than the lookup itself.


async def engine_of(request: Request) -> Engine:
    """The engine behind this app."""
    engine: Engine = request.app.state.engine
    return engine


async def settings_of(request: Request) -> ServerSettings:
    """This app's settings."""
    settings: ServerSettings = request.app.state.settings
    return settings


# Declared for the OpenAPI docs (the "Authorize" button of /docs); the headers
# are read by :func:`credentials`.
_bearer = HTTPBearer(auto_error=False, description="An API token, or a JWT from /identity/token.")
_access = APIKeyHeader(name="X-Access-Token", auto_error=False,
                       description="An access token from /api/users/loginWithToken.")


def authenticated(
    request: Request,
    _bearer_token: Annotated[object, Depends(_bearer)] = None,
    _access_token: Annotated[object, Depends(_access)] = None,
) -> Principal:
    """The caller's principal; :class:`AuthenticationError` (401) without a valid token."""
    token, kind = credentials(request.headers)
    if not token:
        raise AuthenticationError(MISSING)
    engine: Engine = request.app.state.engine
    return engine.accounts.authenticate(token, kind=kind)


def credentials(headers: Headers) -> tuple[str | None, str | None]:
    """The token a request carries and the kind it must be (``None``: any)."""
    access = headers.get("x-access-token")
    if access:
        return access.strip(), None
    scheme, _, value = headers.get("authorization", "").partition(" ")
    value = value.strip()
    scheme = scheme.lower()
    if scheme == "bearer" and value.count(".") == 2:
        from qruntime.server.iam import access_token_of

        return access_token_of(value) or "", "access"
    if scheme == "bearer":
        return value, None
    if scheme == "apikey":
        return value, "api"
    return None, None


def log_in(
    engine: Engine, api_token: object, ttl: timedelta, label: str
) -> tuple[str, Principal]:
    """Check an API token and hand out an access token of the same principal.

    The access token is valid only while the API token is: revoking that ends it.
    """
    if not isinstance(api_token, str) or not api_token:
        raise AuthenticationError("an API token is required.")
    principal = engine.accounts.authenticate(api_token, kind="api")
    access = engine.accounts.create_token(
        principal.instance, user_id=principal.user_id, label=label,
        is_admin=principal.is_admin, kind="access", ttl=ttl, parent_id=principal.token_id,
    )
    return access, principal
