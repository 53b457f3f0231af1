"""``/runtime/backends``: the catalog's names, configurations, properties and status.

Configuration and properties never change while a server runs, and stock
clients ask for properties on every target access, so their encoded bytes are
kept after the first request.
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Request, Response

from qruntime.backends.spec import BackendSpec
from qruntime.engine import Engine
from qruntime.server.responses import JSON, encode, json_response
from qruntime.server.types import Caller, Runtime

router = APIRouter(tags=["backends"])

_DOCUMENTS: dict[str, Callable[[BackendSpec], Any]] = {
    "configuration": BackendSpec.configuration,
    "properties": BackendSpec.properties,
    # Pulse defaults: none; stock 0.34 clients accept null.
    "defaults": lambda _spec: None,
}


@router.get("/backends")
@router.get("/backends/", include_in_schema=False)
def list_backends(
    request: Request, engine: Runtime, _caller: Caller, include_mocks: str | None = None,
) -> Response:
    """Backend names (``?provider=``, 0.34 style), or device summaries (0.51 style).

    0.51-era clients send ``include_mocks`` or the ``IBM-API-Version`` header
    and read a list of objects; older ones read a list of names.
    """
    if include_mocks is None and "ibm-api-version" not in request.headers:
        return json_response({"devices": engine.backend_names()})
    return json_response({"devices": devices(engine)})


@router.get("/backends/{name}/configuration")
def configuration(name: str, request: Request, engine: Runtime, _caller: Caller) -> Response:
    """The backend's ``QasmBackendConfiguration`` document."""
    return _document(request, engine, name, "configuration")


@router.get("/backends/{name}/properties")
def properties(name: str, request: Request, engine: Runtime, _caller: Caller) -> Response:
    """The backend's ``BackendProperties`` document, or ``null`` for an ideal simulator."""
    return _document(request, engine, name, "properties")


@router.get("/backends/{name}/defaults")
def defaults(name: str, request: Request, engine: Runtime, _caller: Caller) -> Response:
    """Pulse defaults: always ``null``."""
    return _document(request, engine, name, "defaults")


@router.get("/backends/{name}/status")
def status(name: str, engine: Runtime, _caller: Caller) -> Response:
    """The backend's status, with its live queue length."""
    return json_response(engine.backend_status(name))


def devices(engine: Engine) -> list[dict[str, Any]]:
    """The 0.51-style device summaries; reading them builds no backend."""
    return [
        {
            "name": entry.name,
            "status": {"name": "online", "reason": ""},
            "qubits": entry.num_qubits,
            "physical_qubits": entry.num_qubits,
            "queue_length": engine.jobs_store.count_pending(backend=entry.name),
            "class": "simulator" if entry.is_simulator else "device",
        }
        for entry in engine.catalog.entries()
    ]


def _document(request: Request, engine: Runtime, name: str, which: str) -> Response:
    cache: dict[tuple[str, str], bytes] = request.app.state.backend_documents
    body = cache.get((name, which))
    if body is None:
        body = cache[(name, which)] = encode(_DOCUMENTS[which](engine.backend(name)))
    return Response(body, media_type=JSON)
