"""Request bodies and error answers as the OpenAPI docs (``/docs``) show them.

Routes read their bodies by hand (see :mod:`qruntime.server.body`), so
FastAPI cannot infer these; they document, they do not validate. Every
operation lists the 4xx answers it gives (:func:`document_errors`), each in
the one error shape ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit

from qruntime import wire
from qruntime.server.body import MAX_SECONDS

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_SECONDS = {"type": "integer", "minimum": 1, "maximum": MAX_SECONDS}


def json_body(properties: dict[str, Any], required: list[str], example: dict[str, Any]
              ) -> dict[str, Any]:
    """``openapi_extra`` for a route taking a JSON object body."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema, "example": example}}}}


def _bell() -> dict[str, Any]:
    """A Bell circuit as a client sends it: the example job runs as it is."""
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    envelope: dict[str, Any] = wire.encode(circuit)
    return envelope


#: ``circuit-runner``'s params (``backend.run``); see :mod:`qruntime.programs.circuit_runner`.
_RUN_PARAMS = {
    "circuits": {"type": "array", "minItems": 1, "items": {"type": "object"},
                 "description": "QuantumCircuit envelopes (QPY), or OpenQASM 3 strings."},
    "shots": {"type": "integer", "minimum": 1},
    "meas_level": {"type": "integer", "enum": [2]},
    "meas_return": {"type": "string", "enum": ["avg", "single"]},
    "memory": {"type": "boolean"},
    "init_qubits": {"type": "boolean", "enum": [True]},
    "seed_simulator": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},  # Aer's range
    "skip_transpilation": {"type": "boolean"},
    "header": {"type": "object"},
}

JOB = json_body(
    {
        "program_id": {"type": "string",
                       "enum": ["circuit-runner", "qasm3-runner", "sampler", "estimator"]},
        "backend": _STRING,
        "params": {"type": "object", "properties": _RUN_PARAMS,
                   "description": "Program inputs, envelope-encoded "
                   "({\"__type__\", \"__value__\"}: QPY circuits, arrays, ...). The "
                   "properties shown are circuit-runner's; the primitives take "
                   "pubs and options."},
        "session_id": _STRING, "tags": _STRINGS, "runtime": _STRING, "log_level": _STRING,
        "private": {"type": "boolean"}, "start_session": {"type": "boolean"},
        "cost": {**_SECONDS, "description": "Maximum execution time, in seconds."},
        "hub": _STRING, "group": _STRING, "project": _STRING,
    },
    ["program_id", "backend"],
    {"program_id": "circuit-runner", "backend": "ibmq_qasm_simulator",
     "params": {"circuits": [_bell()], "shots": 1000}},
)

SESSION = json_body(
    {"backend": _STRING, "mode": {"type": "string", "enum": ["dedicated", "batch"]},
     "instance": _STRING, "max_ttl": _SECONDS, "max_session_ttl": _SECONDS},
    ["backend"],
    {"backend": "ibmq_qasm_simulator", "mode": "batch", "max_ttl": 28800},
)

SESSION_CLOSE = json_body({"accepting_jobs": {"type": "boolean", "enum": [False]}},
                          ["accepting_jobs"], {"accepting_jobs": False})

TAGS = json_body({"tags": _STRINGS}, ["tags"], {"tags": ["experiment-1"]})

LOGIN = json_body({"apiToken": _STRING}, ["apiToken"], {"apiToken": "<API token>"})

IAM_FORM = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["apikey"],
        "properties": {"grant_type": {"type": "string",
                                      "default": "urn:ibm:params:oauth:grant-type:apikey"},
                       "apikey": _STRING}}}}}}


# --- error answers ------------------------------------------------------------------

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "example": "invalid_input"},
                       "message": {"type": "string"}}}},
}

_MEANINGS = {
    400: "Bad input: the message names the field at fault and what is allowed.",
    401: "No valid token: missing, unknown, expired, or revoked (with the API token behind it).",
    404: "No such job, session or backend for the caller's instance.",
    409: "The job or session is not in a state that allows this.",
    413: "The body is over the server's cap.",
}

#: Errors a route's shape does not tell: (method, path) -> statuses.
_BY_ROUTE = {
    ("post", "/api/users/loginWithToken"): {401},
    ("post", "/identity/token"): {401},
    ("post", "/runtime/jobs"): {409},  # a closed session
    ("get", "/runtime/jobs/{job_id}/results"): {409},  # not final
    ("post", "/runtime/jobs/{job_id}/cancel"): {409},  # already final
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation of ``schema`` the 4xx answers it gives, all of the one error shape.

    What a route can get wrong follows from its shape: a body (400, 413), a
    query parameter that is not free text (400), a path parameter (404), a
    token (401); the rest is in :data:`_BY_ROUTE`. FastAPI's 422 goes: bad
    input is a 400 here.
    """
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status in sorted(error_statuses(method, path, operation)):
                responses[str(status)] = {
                    "description": _MEANINGS[status],
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}},
                }
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Error"] = ERROR
    return schema


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The 4xx statuses of one OpenAPI operation."""
    statuses = set(_BY_ROUTE.get((method, path), ()))
    parameters = operation.get("parameters", [])
    if "requestBody" in operation:
        statuses |= {400, 413}
    if any(p["in"] == "query" and not _free_text(p.get("schema", {})) for p in parameters):
        statuses.add(400)
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if operation.get("security"):
        statuses.add(401)
    return statuses


def _free_text(schema: dict[str, Any]) -> bool:
    """Whether any value of a query parameter of ``schema`` is accepted (a string, or strings)."""
    options = schema.get("anyOf", [schema])
    return all(option.get("type") == "null" or _text_schema(option) for option in options)


def _text_schema(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return _text_schema(schema.get("items", {}))
    return schema.get("type") == "string"
