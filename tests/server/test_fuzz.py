"""A schemathesis run over the live server's own OpenAPI document: no input is ever a 5xx.

``schemathesis run`` (the tool's own runner, as a user would run it) sends every
operation of ``/openapi.json`` its documented examples, the boundary values of
each parameter and field (the coverage phase: just inside and just outside
every minimum, maximum and enum, each wrong type), and a fixed number of
generated requests, valid and invalid, to a real server on 127.0.0.1 with a
valid token. Every answer must be no 5xx and one of the statuses the document
lists for that operation. Generation is deterministic: each run sends the same
requests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .calls import SIMULATOR, submit, wait_final
from .conftest import Server

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
#: Generated requests per operation in the fuzzing phase (the other phases are bounded by
#: the document itself): some 1,100 requests in all, 20-30 s on two cores.
EXAMPLES = 50


def test_no_input_is_a_server_error(sqlite_server: Server, tmp_path: Path) -> None:
    token = sqlite_server.new_token()
    with sqlite_server.client(token) as api:
        job_id = submit(api)
        wait_final(api, job_id)
        session_id = api.post("/runtime/sessions", json={"backend": SIMULATOR}).json()["id"]
    # Real ids, so that the routes that take one get past their 404 too.
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\nname = "{SIMULATOR}"\njob_id = "{job_id}"\n'
                      f'session_id = "{session_id}"\n')
    done = subprocess.run(
        [SCHEMATHESIS, "--config-file", str(config), "run", f"{sqlite_server.url}/openapi.json",
         "--header", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,status_code_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", str(EXAMPLES),
         "--generation-deterministic", "--generation-with-security-parameters", "false",
         "--workers", "1", "--request-timeout", "90", "--no-color", "--warnings", "off"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-4000:]
