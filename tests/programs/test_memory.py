"""Aer memory to BitArrays: the numpy path and the wide path agree with Qiskit's own."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.primitives.containers import BitArray

from qruntime.programs.memory import bit_arrays


def scattered_circuit(width: int) -> QuantumCircuit:
    """Registers ``a`` and ``b`` side by side, and ``mix`` made of their bits out of order."""
    a, b = ClassicalRegister(width, "a"), ClassicalRegister(3, "b")
    mix = ClassicalRegister(bits=[b[2], a[0], a[width - 1]], name="mix")
    return QuantumCircuit(QuantumRegister(1), a, b, mix)


@pytest.mark.parametrize("width", [5, 61, 80])  # 80 + 3 clbits takes the wide path
def test_registers_match_qiskit_bit_slicing(width: int) -> None:
    circuit = scattered_circuit(width)
    rng = np.random.default_rng(width)
    total = circuit.num_clbits
    samples = [[hex(int("".join(rng.choice(["0", "1"], total)), 2)) for _ in range(7)]
               for _ in range(6)]
    arrays = bit_arrays(samples, circuit, (2, 3), 7)
    whole = BitArray.from_samples([s for row in samples for s in row], total).reshape(2, 3, 7)
    for register in circuit.cregs:
        indices = [circuit.find_bit(bit).index for bit in register]
        expected = whole.slice_bits(indices)
        assert arrays[register.name].shape == (2, 3)
        assert arrays[register.name].num_bits == len(indices)
        np.testing.assert_array_equal(arrays[register.name].array, expected.array)
