"""The server's door: the REST protocol over httpx, to a ``qruntime serve`` server.

It authenticates with ``Authorization: Bearer <token>`` on the runtime API,
keeps one keep-alive connection pool, and waits for jobs with the server's
long-poll read (``GET /runtime/jobs/{id}/wait``), so a result costs one wait
request rather than a status poll every 100 ms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from qruntime import errors
from qruntime.client.transport import translate

if TYPE_CHECKING:
    from qiskit.transpiler import Target

    from qruntime.client.accounts import Account

_STATUS_ERRORS: dict[int, type[errors.EngineError]] = {
    400: errors.InvalidInputError,
    401: errors.AuthenticationError,
    403: errors.AuthenticationError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    413: errors.PayloadTooLargeError,
    422: errors.InvalidInputError,
}


def runtime_base(url: str) -> str:
    """The runtime API's base URL for a server URL (with or without ``/api``)."""
    base = url.rstrip("/")
    for suffix in ("/api", "/runtime"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base + "/runtime"


class HttpTransport:
    """A transport to a qruntime server.

    Args:
        url: The server's URL.
        token: An API token of the server.
        instance: The instance the token belongs to (read from the server if ``None``).
        verify: Whether to verify TLS certificates.
        timeout: Seconds to wait for an ordinary request.
    """

    def __init__(self, url: str, token: str, instance: str | None = None, *,
                 verify: bool = True, timeout: float = 60.0) -> None:
        self.url = url
        self._client = httpx.Client(
            base_url=runtime_base(url), headers={"Authorization": f"Bearer {token}"},
            verify=verify, timeout=timeout,
        )
        self._documents: dict[tuple[str, str], Any] = {}
        # Results that came back with their job's submission, until first read.
        self._inline_results: dict[str, Any] = {}
        self.instance = instance or self._instance()

    @classmethod
    def connect(cls, account: Account, verify: bool | None = None) -> HttpTransport:
        """A transport for a saved or given account."""
        return cls(account.url, account.token, account.instance,
                   verify=account.verify if verify is None else verify)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # --- backends ------------------------------------------------------------------

    def backend_names(self) -> list[str]:
        devices = self._json("GET", "/backends", "backend")["devices"]
        return [d if isinstance(d, str) else d["name"] for d in devices]

    def backend_configuration(self, name: str) -> dict[str, Any]:
        return self._cached_document(name, "configuration")  # type: ignore[return-value]

    def backend_properties(self, name: str) -> dict[str, Any] | None:
        return self._cached_document(name, "properties")

    def backend_status(self, name: str) -> dict[str, Any]:
        return self._json("GET", f"/backends/{name}/status", "backend")

    def backend_target(self, name: str) -> Target:
        from qruntime.client.target import target_from_documents

        return target_from_documents(self.backend_configuration(name),
                                     self.backend_properties(name))

    # --- jobs ----------------------------------------------------------------------

    def submit_job(self, body: dict[str, Any]) -> dict[str, Any]:
        from qruntime import wire

        answer: dict[str, Any] = self._json(
            "POST", "/jobs", "backend", content=wire.dumps(body),
            headers={"Content-Type": "application/json", _INLINE_RESULT: "1"})
        if "result" in answer:  # the job ended during its submission
            self._inline_results[answer["id"]] = wire.decode(answer.pop("result"))
            while len(self._inline_results) > _INLINE_KEPT:  # results never read go
                self._inline_results.pop(next(iter(self._inline_results)), None)
        return answer

    def job(self, job_id: str, *, include_params: bool = False) -> dict[str, Any]:
        params = {} if include_params else {"exclude_params": "true"}
        return self._json("GET", f"/jobs/{job_id}", "job", params=params)

    def jobs(self, query: dict[str, Any]) -> dict[str, Any]:
        # The server pages (at most 1000 a request); no limit means every page.
        limit = query.get("limit")
        offset = int(query.get("offset") or 0)
        found: list[dict[str, Any]] = []
        if limit == 0:
            return {"jobs": [], "count": 0}
        while True:
            want = _PAGE if limit is None else min(_PAGE, limit - len(found))
            page = self._json("GET", "/jobs", "job",
                              params=_query({**query, "limit": want, "offset": offset}))
            found.extend(page["jobs"])
            offset += len(page["jobs"])
            done = not page["jobs"] or offset >= page["count"]
            if done or (limit is not None and len(found) >= limit):
                return {"jobs": found, "count": page["count"]}

    def wait_job(self, job_id: str, timeout: float) -> dict[str, Any]:
        return self._json("GET", f"/jobs/{job_id}/wait", "job",
                          params={"timeout": f"{timeout:.3f}"}, timeout=timeout + 30)

    def job_result(self, job_id: str) -> Any:
        from qruntime import wire

        inline = self._inline_results.pop(job_id, None)
        if inline is not None:
            return inline
        return wire.loads(self._request("GET", f"/jobs/{job_id}/results", "job").text)

    def cancel_job(self, job_id: str) -> None:
        self._request("POST", f"/jobs/{job_id}/cancel", "job")

    def delete_job(self, job_id: str) -> None:
        self._request("DELETE", f"/jobs/{job_id}", "job")

    def job_logs(self, job_id: str) -> str:
        return self._request("GET", f"/jobs/{job_id}/logs", "job").text

    def job_metrics(self, job_id: str) -> dict[str, Any]:
        return self._json("GET", f"/jobs/{job_id}/metrics", "job")

    def update_job_tags(self, job_id: str, tags: list[str]) -> None:
        self._request("PUT", f"/jobs/{job_id}/tags", "job", json={"tags": tags})

    # --- sessions and usage ----------------------------------------------------------

    def create_session(self, backend: str, mode: str, max_ttl: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {"backend": backend, "mode": mode, "instance": self.instance}
        if max_ttl is not None:
            body["max_ttl"] = max_ttl
        return self._json("POST", "/sessions", "backend", json=body)

    def session(self, session_id: str) -> dict[str, Any]:
        return self._json("GET", f"/sessions/{session_id}", "session")

    def close_session(self, session_id: str) -> None:
        self._request("PATCH", f"/sessions/{session_id}", "session",
                      json={"accepting_jobs": False})

    def cancel_session(self, session_id: str) -> None:
        self._request("DELETE", f"/sessions/{session_id}/close", "session")

    def usage(self) -> dict[str, Any]:
        return self._json("GET", "/usage", "")

    # --- plumbing --------------------------------------------------------------------

    def _instance(self) -> str:
        usage = self.usage()
        return str(usage.get("instance") or "ibm-q/open/main")

    def _cached_document(self, name: str, kind: str) -> dict[str, Any] | None:
        # Configuration and properties change rarely; read them once per transport.
        key = (name, kind)
        if key not in self._documents:
            self._documents[key] = self._json("GET", f"/backends/{name}/{kind}", "backend")
        return self._documents[key]

    def _json(self, method: str, path: str, subject: str, **kwargs: Any) -> Any:
        response = self._request(method, path, subject, **kwargs)
        return response.json() if response.content else None

    def _request(self, method: str, path: str, subject: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise errors.IBMBackendApiError(
                f"cannot reach the qruntime server at {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise translate(_engine_error(response), subject)
        return response


_PAGE = 1000
_INLINE_RESULT = "X-Qruntime-Inline-Result"
_INLINE_KEPT = 64


def _query(query: dict[str, Any]) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = []
    for key, value in query.items():
        if value is None:
            continue
        if key == "tags":
            params.extend(("tags", tag) for tag in value)
        elif isinstance(value, bool):
            params.append((key, "true" if value else "false"))
        elif hasattr(value, "isoformat"):
            params.append((key, value.isoformat()))
        else:
            params.append((key, value))
    return params


def _engine_error(response: httpx.Response) -> errors.EngineError:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text or response.reason_phrase
    kind = _STATUS_ERRORS.get(response.status_code, errors.EngineError)
    error = kind(message)
    return error


__all__ = ["HttpTransport", "runtime_base"]
