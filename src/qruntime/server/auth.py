"""The ``ibm_quantum`` login flow: version, loginWithToken, users/me, Network.

Mounted under ``/api`` (the auth URL stock clients are given) and, hidden from
the docs, at the root too, so that ``url="http://host:port"`` works as well.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from qruntime import __version__
from qruntime.engine.documents import split_instance
from qruntime.errors import InvalidInputError
from qruntime.server import openapi
from qruntime.server.body import RawBody, json_object
from qruntime.server.responses import json_response
from qruntime.server.security import log_in
from qruntime.server.types import Caller, Runtime, Settings

router = APIRouter(tags=["auth"])


@router.get("/version")
def version() -> Response:
    """Identify the server; stock clients need the ``api-auth`` key."""
    return json_response({"api-auth": f"qruntime-{__version__}", "version": __version__})


@router.post("/users/loginWithToken", openapi_extra=openapi.LOGIN)
def login_with_token(raw: RawBody, engine: Runtime, settings: Settings) -> Response:
    """Trade an API token (``{"apiToken"}``) for an access token (``{"id"}``)."""
    token = json_object(raw).get("apiToken")
    if token is not None and not isinstance(token, str):
        raise InvalidInputError("field 'apiToken' must be a string.")
    access, principal = log_in(engine, token, settings.access_token_ttl, "login")
    return json_response({
        "id": access, "ttl": int(settings.access_token_ttl.total_seconds()),
        "userId": principal.user_id,
    })


@router.get("/users/me")
def me(request: Request, caller: Caller) -> Response:
    """Where the caller's services are: the runtime base URL, on this very server."""
    base = str(request.base_url).rstrip("/")
    return json_response({
        "userId": caller.user_id,
        "instance": caller.instance,
        "isAdmin": caller.is_admin,
        "urls": {"http": f"{base}/api", "services": {"runtime": f"{base}/runtime"}},
    })


@router.get("/Network")
def network(caller: Caller) -> Response:
    """The caller's one instance, as the hub/group/project tree stock clients read."""
    return json_response([_hub(caller.instance)])


def _hub(instance: str) -> dict[str, Any]:
    hub, group, project = split_instance(instance)
    projects = {project: {"name": project, "isDefault": True}}
    return {"name": hub, "groups": {group: {"name": group, "projects": projects}}}
