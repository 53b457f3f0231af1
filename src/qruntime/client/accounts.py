"""Saved accounts: how to reach a ``qruntime serve`` server without repeating the token.

Accounts live in ``QRUNTIME_HOME/accounts.json`` (mode 0600), named like the
stock client's (``default-ibm-quantum`` ...). The environment variables
``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_URL``, ``QISKIT_IBM_INSTANCE`` and
``QISKIT_IBM_CHANNEL`` are read as the stock client reads them.

Example:
    .. code-block:: python

        from qruntime import QiskitRuntimeService

        QiskitRuntimeService.save_account(
            channel="ibm_quantum", url="http://127.0.0.1:8290", token="...",
            set_as_default=True)
        service = QiskitRuntimeService()          # now talks to the server
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qruntime.errors import IBMAccountError, IBMInputValueError

_REMOTE_CHANNELS = ("ibm_quantum", "ibm_cloud", "ibm_quantum_platform")


@dataclass(frozen=True)
class Account:
    """Where a server is and how to authenticate to it."""

    channel: str
    url: str
    token: str
    instance: str | None = None
    verify: bool = True


def default_file() -> Path:
    """The accounts file: ``QRUNTIME_HOME/accounts.json``."""
    from qruntime.client.embedded import qruntime_home

    return qruntime_home() / "accounts.json"


def save_account(
    token: str | None = None, url: str | None = None, instance: str | None = None,
    channel: str | None = None, filename: str | None = None, name: str | None = None,
    proxies: dict[str, Any] | None = None, verify: bool | None = None,
    overwrite: bool | None = False, channel_strategy: str | None = None,
    set_as_default: bool | None = None, private_endpoint: bool | None = False,
) -> None:
    """Save an account under ``name`` (default ``default-<channel>``).

    Raises:
        IBMInputValueError: The token or url is missing, or the channel is unknown.
        IBMAccountError: An account of that name exists and ``overwrite`` is False.
    """
    channel = channel or "ibm_quantum"
    if channel not in _REMOTE_CHANNELS:
        raise IBMInputValueError(
            f"channel {channel!r} is not allowed; use one of {', '.join(_REMOTE_CHANNELS)}.")
    if not token or not url:
        raise IBMInputValueError("save_account needs both token= and url= (the qruntime server).")
    path = Path(filename) if filename else default_file()
    accounts = _read(path)
    key = name or _default_name(channel)
    if key in accounts and not overwrite and accounts[key].get("token") != token:
        raise IBMAccountError(f"an account named {key!r} exists; pass overwrite=True to replace it.")
    entry: dict[str, Any] = {"channel": channel, "url": url, "token": token,
                             "instance": instance, "verify": True if verify is None else verify}
    if set_as_default:
        for other in accounts.values():
            other.pop("is_default_account", None)
        entry["is_default_account"] = True
    accounts[key] = entry
    _write(path, accounts)


def saved_accounts(
    default: bool | None = None, channel: str | None = None, filename: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Saved accounts by name, filtered by ``channel``, ``name`` or ``default``."""
    accounts = _read(Path(filename) if filename else default_file())
    chosen = {}
    for key, entry in accounts.items():
        if channel is not None and entry.get("channel") != channel:
            continue
        if name is not None and key != name:
            continue
        if default is not None and (key == _default_name(entry.get("channel", ""))
                                    or entry.get("is_default_account", False)) != default:
            continue
        chosen[key] = {k: v for k, v in entry.items()}
    return chosen


def delete_account(filename: str | None = None, name: str | None = None,
                   channel: str | None = None) -> bool:
    """Delete the account ``name`` (or the channel's default); returns whether one was."""
    path = Path(filename) if filename else default_file()
    accounts = _read(path)
    key = name or _default_name(channel or "ibm_quantum")
    if key not in accounts:
        return False
    del accounts[key]
    _write(path, accounts)
    return True


def resolve(
    channel: str | None, token: str | None, url: str | None, filename: str | None,
    name: str | None, instance: str | None,
) -> Account | None:
    """The account a new service connects with, or ``None`` for the embedded runtime.

    In order: explicit ``token`` and ``url``; the saved account ``name``; the
    ``QISKIT_IBM_*`` environment variables; the default saved account.
    """
    if token and url:
        return Account(channel or "ibm_quantum", url, token, instance)
    if token or url:
        # Half an account is no account: never pair it with saved credentials.
        return None
    if name is not None:
        entry = saved_accounts(filename=filename).get(name)
        if entry is None:
            raise IBMAccountError(f"no saved account named {name!r}.")
        return _account(entry, instance)
    env_token, env_url = os.environ.get("QISKIT_IBM_TOKEN"), os.environ.get("QISKIT_IBM_URL")
    if env_token and env_url:
        return Account(channel or os.environ.get("QISKIT_IBM_CHANNEL", "ibm_quantum"),
                       env_url, env_token, instance or os.environ.get("QISKIT_IBM_INSTANCE"))
    accounts = saved_accounts(filename=filename)
    for key, entry in accounts.items():
        if entry.get("is_default_account") and channel in (None, entry.get("channel")):
            return _account(entry, instance)
    for key, entry in accounts.items():
        if key == _default_name(channel or "ibm_quantum"):
            return _account(entry, instance)
    return None


def _account(entry: dict[str, Any], instance: str | None) -> Account:
    return Account(entry["channel"], entry["url"], entry["token"],
                   instance or entry.get("instance"), bool(entry.get("verify", True)))


def _default_name(channel: str) -> str:
    return f"default-{channel.replace('_', '-')}"


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise IBMAccountError(f"cannot read the accounts file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise IBMAccountError(f"the accounts file {path} does not hold a JSON object.")
    return data


def _write(path: Path, accounts: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start (tokens inside), under a name no other writer uses.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(accounts, indent=2))
    temporary.replace(path)


__all__ = ["Account", "delete_account", "resolve", "save_account", "saved_accounts"]
