"""``qruntime save-account``: save a server's URL and token for a client, without Python.

Without ``--stock`` the account is qruntime's own (``QRUNTIME_HOME/accounts.json``).
With ``--stock`` it is written where the stock ``qiskit-ibm-runtime`` and
``qiskit-ibm-provider`` clients read theirs, ``~/.qiskit/qiskit-ibm.json``,
exactly as their ``QiskitRuntimeService.save_account(..., set_as_default=True)``
writes it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from qruntime.cli.options import console

#: The channels a stock client saves accounts for, and the name of each one's default account.
STOCK_NAMES = {
    "ibm_quantum": "default-ibm-quantum",
    "ibm_cloud": "default-ibm-cloud",
    "ibm_quantum_platform": "default-ibm-quantum-platform",
}


def stock_file() -> Path:
    """The stock clients' accounts file, ``~/.qiskit/qiskit-ibm.json``."""
    return Path(os.path.expanduser("~")) / ".qiskit" / "qiskit-ibm.json"


def save_account(
    url: Annotated[str, typer.Option(help="The server's auth URL, e.g. http://127.0.0.1:8290/api "
                                          "(for ibm_quantum_platform: .../experimental/runtime).")],
    token: Annotated[str, typer.Option(help="An API token (qruntime token create).")],
    stock: Annotated[bool, typer.Option(
        "--stock", help="Write the stock clients' file ~/.qiskit/qiskit-ibm.json.")] = False,
    channel: Annotated[str, typer.Option(help="ibm_quantum, ibm_cloud or "
                                              "ibm_quantum_platform.")] = "ibm_quantum",
    instance: Annotated[str | None, typer.Option(
        help="hub/group/project (ibm_quantum) or a CRN (the other channels).")] = None,
    name: Annotated[str | None, typer.Option(
        help="Account name (default: the channel's default account).")] = None,
    file: Annotated[Path | None, typer.Option(help="Write this file instead.")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace an account of that name, and the default mark.")] = False,
) -> None:
    """Save an account (and make it the default) so that clients connect with no arguments."""
    if channel not in STOCK_NAMES:
        raise typer.BadParameter(f"use one of {', '.join(STOCK_NAMES)}", param_hint="--channel")
    if not stock:
        _save_own(url, token, channel, instance, name, file, overwrite)
        return
    path = file or stock_file()
    key = name or STOCK_NAMES[channel]
    try:
        write_stock_account(path, key, stock_entry(channel, url, token, instance), overwrite)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--overwrite") from exc
    console.print(f"saved account [bold]{key}[/] ({channel}, {url}) to {path}, as the default.")


def stock_entry(channel: str, url: str, token: str, instance: str | None) -> dict[str, Any]:
    """The account entry the stock ``save_account`` writes (``None`` fields left out)."""
    if not token:
        raise typer.BadParameter("must not be empty", param_hint="--token")
    if channel == "ibm_quantum" and instance is not None and instance.count("/") != 2:
        raise typer.BadParameter("must be hub/group/project", param_hint="--instance")
    entry: dict[str, Any] = {"channel": channel, "private_endpoint": False, "token": token,
                             "url": url}
    if instance is not None:
        entry["instance"] = instance
    return entry


def write_stock_account(path: Path, name: str, entry: dict[str, Any], overwrite: bool) -> None:
    """Add ``entry`` as ``name`` and mark it the default, as the stock client does."""
    data = _read(path)
    if data.get(name) and not overwrite:
        raise ValueError(f"account {name!r} already exists in {path}; pass --overwrite.")
    data[name] = {**entry, "is_default_account": True}
    for other, account in data.items():
        if other != name and isinstance(account, dict) and account.get("is_default_account"):
            if not overwrite:
                raise ValueError(f"account {other!r} in {path} is the default; pass --overwrite.")
            del account["is_default_account"]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, sort_keys=True, indent=4)
    temporary.replace(path)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="--file") from exc
    if not isinstance(data, dict):
        raise typer.BadParameter(f"{path} does not hold a JSON object", param_hint="--file")
    return data


def _save_own(url: str, token: str, channel: str, instance: str | None, name: str | None,
              file: Path | None, overwrite: bool) -> None:
    from qruntime.client.accounts import default_file
    from qruntime.client.accounts import save_account as save
    from qruntime.errors import QRuntimeError

    try:
        save(token=token, url=url, instance=instance, channel=channel, name=name,
             filename=str(file) if file else None, overwrite=overwrite, set_as_default=True)
    except QRuntimeError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"saved qruntime account ({channel}, {url}) to {file or default_file()}.")
