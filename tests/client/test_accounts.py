"""Saved accounts and environment variables choose the server a service talks to."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from qiskit import QuantumCircuit

from qruntime import IBMInputValueError, IBMNotAuthorizedError, QiskitRuntimeService
from qruntime.client.accounts import default_file
from qruntime.client.http import HttpTransport
from qruntime.client.transport import LocalTransport
from qruntime.errors import IBMAccountError


@pytest.fixture
def server(runtime_home: Path, _servers: dict[str, Any]) -> Any:
    return _servers["start"]("sqlite")


def test_a_saved_default_account_is_used_by_a_bare_service(server: Any, bell: QuantumCircuit) -> None:
    token = server.new_token()
    QiskitRuntimeService.save_account(channel="ibm_quantum", url=server.url, token=token,
                                      set_as_default=True)
    assert stat.S_IMODE(default_file().stat().st_mode) == 0o600
    accounts = QiskitRuntimeService.saved_accounts()
    assert accounts["default-ibm-quantum"]["url"] == server.url
    service = QiskitRuntimeService()
    assert isinstance(service._transport, HttpTransport)
    job = service.backend("ibmq_qasm_simulator").run(bell, shots=30)
    assert sum(job.result().get_counts().values()) == 30
    assert QiskitRuntimeService.delete_account() is True
    assert QiskitRuntimeService.delete_account() is False
    assert isinstance(QiskitRuntimeService(channel="local")._transport, LocalTransport)


def test_named_accounts_and_overwrite(server: Any) -> None:
    QiskitRuntimeService.save_account(url=server.url, token=server.new_token(), name="lab")
    with pytest.raises(IBMAccountError, match="overwrite=True"):
        QiskitRuntimeService.save_account(url=server.url, token="other", name="lab")
    QiskitRuntimeService.save_account(url=server.url, token=server.new_token(), name="lab",
                                      overwrite=True)
    assert list(QiskitRuntimeService.saved_accounts(name="lab")) == ["lab"]
    assert QiskitRuntimeService(name="lab").backends()
    with pytest.raises(IBMAccountError, match="no saved account named 'nope'"):
        QiskitRuntimeService(name="nope")


def test_environment_variables(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_IBM_URL", server.url)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", server.new_token())
    service = QiskitRuntimeService(channel="ibm_quantum")
    assert isinstance(service._transport, HttpTransport)
    assert service.active_account()["url"] == server.url


def test_a_bad_token_is_refused(server: Any) -> None:
    with pytest.raises(IBMNotAuthorizedError):
        QiskitRuntimeService(channel="ibm_quantum", url=server.url, token="not-a-token")


def test_save_account_needs_url_and_token(runtime_home: Path) -> None:
    with pytest.raises(IBMInputValueError, match="token= and url="):
        QiskitRuntimeService.save_account(token="t")
    with pytest.raises(IBMInputValueError, match="channel 'local'"):
        QiskitRuntimeService.save_account(channel="local", token="t", url="http://x")
