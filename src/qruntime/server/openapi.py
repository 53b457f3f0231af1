"""Request bodies as the OpenAPI docs (``/docs``) show them.

Routes read their bodies by hand (see :mod:`qruntime.server.body`), so
FastAPI cannot infer these; they document, they do not validate.
"""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_SECONDS = {"type": "integer", "minimum": 1}


def json_body(properties: dict[str, Any], required: list[str], example: dict[str, Any]
              ) -> dict[str, Any]:
    """``openapi_extra`` for a route taking a JSON object body."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema, "example": example}}}}


JOB = json_body(
    {
        "program_id": {"type": "string",
                       "enum": ["circuit-runner", "qasm3-runner", "sampler", "estimator"]},
        "backend": _STRING,
        "params": {"type": "object", "description": "Program inputs, envelope-encoded "
                   "({\"__type__\", \"__value__\"}: QPY circuits, arrays, ...)."},
        "session_id": _STRING, "tags": _STRINGS, "runtime": _STRING, "log_level": _STRING,
        "private": {"type": "boolean"}, "start_session": {"type": "boolean"},
        "cost": {**_SECONDS, "description": "Maximum execution time, in seconds."},
        "hub": _STRING, "group": _STRING, "project": _STRING,
    },
    ["program_id", "backend"],
    {"program_id": "circuit-runner", "backend": "ibmq_qasm_simulator",
     "params": {"circuits": [{"__type__": "QuantumCircuit", "__value__": "<base64 zlib QPY>"}],
                "shots": 1000}},
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
