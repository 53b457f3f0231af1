"""The login flows (ibm_quantum, IAM) and the tokens every route requires."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from .calls import error_of, job_body
from .conftest import Server


def test_ibm_quantum_login_flow_as_the_stock_client_runs_it(server: Server) -> None:
    instance = f"hub-{server.kind}/grp/proj"
    token = server.new_token(instance)
    with server.client() as http:
        version = http.get("/api/version").json()
        assert version["api-auth"].startswith("qruntime-")
        login = http.post("/api/users/loginWithToken", json={"apiToken": token})
        assert login.status_code == 200
        access = login.json()["id"]
        assert access != token and login.json()["ttl"] > 0
        headers = {"X-Access-Token": access}
        urls = http.get("/api/users/me", headers=headers).json()["urls"]
        assert urls == {"http": f"{server.url}/api",
                        "services": {"runtime": f"{server.url}/runtime"}}
        network = http.get(f"{urls['http']}/Network", headers=headers).json()
        assert network == [{"name": f"hub-{server.kind}", "groups": {"grp": {
            "name": "grp", "projects": {"proj": {"name": "proj", "isDefault": True}}}}}]
        runtime = urls["services"]["runtime"]
        devices = http.get(f"{runtime}/backends", params={"provider": instance},
                           headers=headers).json()["devices"]
        assert "ibmq_qasm_simulator" in devices


def test_bare_server_url_answers_the_login_flow_too(sqlite_server: Server) -> None:
    token = sqlite_server.new_token()
    with sqlite_server.client() as http:
        assert "api-auth" in http.get("/version").json()
        access = http.post("/users/loginWithToken", json={"apiToken": token}).json()["id"]
        me = http.get("/users/me", headers={"X-Access-Token": access}).json()
        assert me["urls"]["services"]["runtime"] == f"{sqlite_server.url}/runtime"


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Bearer a.b.c"},
    {"Authorization": "apikey not-a-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"X-Access-Token": "not-a-token"},
])
@pytest.mark.parametrize("method, path", [
    ("GET", "/api/users/me"), ("GET", "/api/Network"), ("GET", "/runtime/backends"),
    ("GET", "/runtime/backends/ibmq_qasm_simulator/configuration"),
    ("POST", "/runtime/jobs"), ("GET", "/runtime/jobs"), ("GET", "/runtime/jobs/x"),
    ("GET", "/runtime/jobs/x/wait"), ("GET", "/runtime/jobs/x/results"),
    ("POST", "/runtime/jobs/x/cancel"), ("DELETE", "/runtime/jobs/x"),
    ("PUT", "/runtime/jobs/x/tags"), ("POST", "/runtime/sessions"),
    ("GET", "/runtime/sessions/x"), ("PATCH", "/runtime/sessions/x"),
    ("DELETE", "/runtime/sessions/x/close"), ("GET", "/runtime/usage"),
    ("GET", "/runtime/instances/usage"),
])
def test_every_route_needs_a_valid_token(
    sqlite_server: Server, headers: dict[str, str], method: str, path: str
) -> None:
    with sqlite_server.client() as http:
        response = http.request(method, path, headers=headers, content=b"{}")
    assert "token" in error_of(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_login_takes_only_a_valid_api_token(sqlite_server: Server) -> None:
    token = sqlite_server.new_token()
    with sqlite_server.client() as http:
        access = http.post("/api/users/loginWithToken", json={"apiToken": token}).json()["id"]
        for body in ({"apiToken": access}, {"apiToken": "wrong"}, {}):
            error_of(http.post("/api/users/loginWithToken", json=body), 401)
        message = error_of(http.post("/api/users/loginWithToken", content=b"{nope"), 400)
        assert message.startswith("request body is not valid JSON")
        assert "apiToken" in error_of(
            http.post("/api/users/loginWithToken", json={"apiToken": 7}), 400)


def test_revoked_and_expired_tokens_are_refused(sqlite_server: Server) -> None:
    accounts = sqlite_server.engine.accounts
    token = sqlite_server.new_token()
    expired = accounts.create_token("hub/grp/expired", kind="access",
                                    ttl=timedelta(seconds=-1))
    with sqlite_server.client() as http:
        assert http.get("/runtime/usage", headers={"Authorization": f"Bearer {token}"}
                        ).status_code == 200
        accounts.revoke(accounts.authenticate(token).token_id)
        error_of(http.get("/runtime/usage", headers={"Authorization": f"Bearer {token}"}), 401)
        error_of(http.get("/runtime/usage", headers={"X-Access-Token": expired}), 401)


def test_iam_token_is_a_jwt_that_authenticates(sqlite_server: Server) -> None:
    token = sqlite_server.new_token()
    with sqlite_server.client() as http:
        form = {"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": token,
                "response_type": "cloud_iam"}
        answer = http.post("/identity/token", data=form).json()
        jwt = answer["access_token"]
        assert answer["token_type"] == "Bearer" and answer["expires_in"] > 0
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert claims["exp"] - claims["iat"] == answer["expires_in"]
        for header in (f"Bearer {jwt}", f"apikey {token}"):
            response = http.get("/runtime/backends", params={"include_mocks": "true"},
                                headers={"Authorization": header})
            assert response.status_code == 200
            assert response.json()["devices"][0]["status"]["name"] == "online"
        guessed = base64.urlsafe_b64encode(json.dumps({**claims, "qrt": "guess"}).encode())
        forged = f"{jwt.split('.')[0]}.{guessed.decode().rstrip('=')}.{jwt.split('.')[2]}"
        error_of(http.get("/runtime/usage", headers={"Authorization": f"Bearer {forged}"}), 401)
        error_of(http.post("/identity/token", data={"apikey": "wrong"}), 401)
        assert "grant_type" in error_of(
            http.post("/identity/token", data={"grant_type": "password", "apikey": token}), 400)


def test_revoking_an_api_token_ends_the_access_tokens_minted_from_it_at_once(
    server: Server,
) -> None:
    instance = f"hub/grp/r{server.kind}{len(server.url)}"
    token, other = server.new_token(instance), server.new_token(instance)
    token_id = server.engine.accounts.authenticate(token).token_id
    with server.client() as http:
        def logged_in(api_token: str) -> list[dict[str, str]]:
            access = http.post("/api/users/loginWithToken", json={"apiToken": api_token})
            jwt = http.post("/identity/token", data={"apikey": api_token})
            return [{"X-Access-Token": access.json()["id"]},
                    {"Authorization": f"Bearer {jwt.json()['access_token']}"}]

        minted, unrelated = logged_in(token), logged_in(other)
        for headers in minted + unrelated:
            assert http.get("/runtime/jobs", headers=headers).status_code == 200
        from qruntime.cli.main import app

        done = CliRunner().invoke(app, ["token", "revoke", token_id,
                                        "--db", server.engine.database.url])
        assert done.exit_code == 0, done.output
        for headers in minted:
            assert "token" in error_of(http.get("/runtime/jobs", headers=headers), 401)
            error_of(http.post("/runtime/jobs", content=job_body(), headers=headers), 401)
            error_of(http.get("/api/users/me", headers=headers), 401)
        error_of(http.post("/identity/token", data={"apikey": token}), 401)
        for headers in unrelated:  # the instance's other API token and its logins live on
            assert http.get("/runtime/jobs", headers=headers).status_code == 200
            assert http.post("/runtime/jobs", content=job_body(),
                             headers=headers).status_code == 200
