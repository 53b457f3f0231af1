"""The catalog: names, lookups, laziness, config files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qruntime.backends import BackendCatalog, BackendEntry, default_catalog
from qruntime.backends.catalog import BUILTIN_ENTRIES, CONFIG_ENV, load_entries
from qruntime.errors import InvalidInputError, NotFoundError

BUILTIN = [
    "ibm_qrt_eagle", "ibm_qrt_falcon", "ibm_qrt_heron", "ibmq_qasm_simulator",
    "simulator_extended_stabilizer", "simulator_mps", "simulator_stabilizer",
    "simulator_statevector",
]


def test_names_are_the_builtins_sorted(catalog: BackendCatalog) -> None:
    assert catalog.names() == BUILTIN
    assert [entry.name for entry in catalog.entries()] == BUILTIN


def test_get_builds_each_spec_once(catalog: BackendCatalog) -> None:
    spec = catalog.get("ibmq_qasm_simulator")
    assert catalog.get("ibmq_qasm_simulator") is spec
    assert (spec.name, spec.num_qubits, spec.is_simulator) == ("ibmq_qasm_simulator", 32, True)
    assert (spec.max_shots, spec.max_experiments) == (100_000, 10_000)


def test_device_spec(falcon) -> None:
    assert (falcon.name, falcon.num_qubits, falcon.is_simulator) == ("ibm_qrt_falcon", 27, False)
    assert falcon.noise_model is not None


def test_unknown_name_lists_the_available_ones(catalog: BackendCatalog) -> None:
    with pytest.raises(NotFoundError) as caught:
        catalog.get("ibmq_nowhere")
    message = str(caught.value)
    assert "'ibmq_nowhere'" in message
    assert all(name in message for name in BUILTIN)


def test_entries_are_cheap_metadata(catalog: BackendCatalog) -> None:
    entry = catalog.entry("ibm_qrt_eagle")
    assert (entry.num_qubits, entry.is_simulator) == (127, False)
    assert catalog.entry("ibmq_qasm_simulator").is_simulator


def test_specs_lists_every_backend() -> None:
    small = BackendCatalog([BackendEntry("a", "ideal", 3), BackendEntry("b", "ideal", 5)])
    assert [spec.num_qubits for spec in small.specs()] == [3, 5]


def test_concurrent_gets_build_one_spec() -> None:
    fresh = BackendCatalog(BUILTIN_ENTRIES)
    specs: list[object] = []
    threads = [
        threading.Thread(target=lambda: specs.append(fresh.get("ibm_qrt_falcon"))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(specs) == 4 and all(spec is specs[0] for spec in specs)


def test_default_catalog_is_one_instance() -> None:
    assert default_catalog() is default_catalog()


def test_importing_backends_builds_no_noise_model() -> None:
    code = (
        "import sys, qruntime, qruntime.backends\n"
        "from qruntime.backends import default_catalog\n"
        "default_catalog().names()\n"
        "assert 'qiskit_aer' not in sys.modules, 'qiskit_aer imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "backends.json"
    path.write_text(json.dumps(data))
    return path


def test_config_file_adds_backends(tmp_path: Path, falcon) -> None:
    path = _write(
        tmp_path,
        {
            "backends": [
                {"name": "ibm_qrt_falcon_b", "kind": "heavy_hex", "num_qubits": 27, "seed": 7},
                {"name": "tiny_simulator", "kind": "ideal", "num_qubits": 5},
            ]
        },
    )
    extended = BackendCatalog.from_environment({CONFIG_ENV: str(path)})
    assert extended.names() == sorted([*BUILTIN, "ibm_qrt_falcon_b", "tiny_simulator"])
    assert extended.get("tiny_simulator").num_qubits == 5
    other = extended.get("ibm_qrt_falcon_b")
    assert other.coupling_edges == falcon.coupling_edges
    assert other.target.qubit_properties[0].t1 != falcon.target.qubit_properties[0].t1


def test_config_file_may_be_a_bare_list(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"name": "x", "kind": "ideal", "num_qubits": 2}])
    assert load_entries(path) == [BackendEntry("x", "ideal", 2)]


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"name": "x", "kind": "quantum", "num_qubits": 2},
         ["'quantum'", "ideal, statevector", "stabilizer", "heavy_hex"]),
        ({"name": "x", "kind": "heavy_hex", "num_qubits": 30}, ["27, 127 or 156", "30"]),
        ({"name": "x", "kind": "ideal", "num_qubits": 0}, ["num_qubits"]),
        ({"name": "x", "kind": "ideal", "num_qubits": 2, "colour": 1}, ["colour"]),
        ({"kind": "ideal", "num_qubits": 2}, ["name"]),
    ],
)
def test_bad_config_entries_are_named(tmp_path: Path, item: dict, words: list[str]) -> None:
    path = _write(tmp_path, {"backends": [item]})
    with pytest.raises(InvalidInputError) as caught:
        load_entries(path)
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_unreadable_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(InvalidInputError, match="missing.json"):
        BackendCatalog.from_environment({CONFIG_ENV: str(path)})
