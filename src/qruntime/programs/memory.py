"""Aer's per-shot memory (hex strings) as one :class:`BitArray` per classical register.

Aer writes shot ``k`` of an experiment as a hex string whose bit ``i`` is the
circuit's clbit ``i``. A SamplerV2 result wants, per register, a ``uint8``
array of shape ``(*pub_shape, shots, ceil(bits / 8))`` holding that
register's bits big-endian (the register's bit 0 is the lowest bit of the last
byte). Circuits with at most 64 clbits, by far the usual case, are converted
with numpy in a handful of vector operations; wider ones go through Python
integers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives.containers import BitArray

_WORD = 64


def register_bits(circuit: QuantumCircuit) -> dict[str, list[int]]:
    """Clbit indices of each classical register of ``circuit``, in register order."""
    return {reg.name: [circuit.find_bit(bit).index for bit in reg] for reg in circuit.cregs}


def bit_arrays(
    memory: Sequence[Sequence[str]], circuit: QuantumCircuit, shape: tuple[int, ...], shots: int
) -> dict[str, BitArray]:
    """One ``BitArray`` of shape ``shape`` per register, from ``memory[set][shot]``."""
    registers = register_bits(circuit)
    words = _as_words(memory, circuit.num_clbits, shots)
    arrays: dict[str, BitArray] = {}
    for name, bits in registers.items():
        if words is not None:
            packed = _pack_small(_extract(words, bits), len(bits))
        else:
            packed = _pack_wide(memory, bits, shots)
        arrays[name] = BitArray(packed.reshape(*shape, shots, packed.shape[-1]), len(bits))
    return arrays


def _as_words(memory: Sequence[Sequence[str]], num_clbits: int, shots: int) -> np.ndarray | None:
    """``memory`` as a ``uint64`` array ``[set, shot]``, or ``None`` when too wide."""
    if num_clbits > _WORD:
        return None
    count = len(memory) * shots
    flat = (int(value, 16) for row in memory for value in _padded(row, shots))
    return np.fromiter(flat, dtype=np.uint64, count=count).reshape(len(memory), shots)


def _padded(row: Sequence[str], shots: int) -> Sequence[str]:
    # Aer leaves memory out of an experiment that measures nothing.
    return row if len(row) == shots else ["0x0"] * shots


def _extract(words: np.ndarray, bits: list[int]) -> np.ndarray:
    """The register made of clbits ``bits`` of every word, as an integer."""
    if not bits:
        return np.zeros_like(words)
    start = bits[0]
    if bits == list(range(start, start + len(bits))):
        mask = np.uint64((1 << len(bits)) - 1)
        return (words >> np.uint64(start)) & mask
    value = np.zeros_like(words)
    for position, bit in enumerate(bits):
        value |= ((words >> np.uint64(bit)) & np.uint64(1)) << np.uint64(position)
    return value


def _pack_small(values: np.ndarray, num_bits: int) -> np.ndarray:
    """Integers below ``2**64`` as big-endian bytes, ``ceil(num_bits / 8)`` of them."""
    num_bytes = (num_bits + 7) // 8
    as_bytes = values.astype(">u8").view(np.uint8).reshape(*values.shape, 8)
    return np.ascontiguousarray(as_bytes[..., 8 - num_bytes:])


def _pack_wide(memory: Sequence[Sequence[str]], bits: list[int], shots: int) -> np.ndarray:
    num_bytes = (len(bits) + 7) // 8
    buffer = bytearray()
    for row in memory:
        for value in _padded(row, shots):
            word = int(value, 16)
            register = sum(((word >> bit) & 1) << k for k, bit in enumerate(bits))
            buffer += register.to_bytes(num_bytes, "big")
    return np.frombuffer(bytes(buffer), dtype=np.uint8).reshape(len(memory), shots, num_bytes)
