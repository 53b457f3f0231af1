"""Heavy-hex coupling maps of IBM's Falcon (27 qubits), Eagle (127) and Heron r2 (156) chips.

Edges are undirected pairs ``(a, b)`` with ``a < b``; :func:`directed_edges`
turns them into the both-ways list IBM reports for devices whose two-qubit gate
is calibrated in each direction.

Eagle and Heron are one pattern: rows of qubits coupled in a line, joined by
rows of bridge qubits, each bridge coupled to the qubit of its column in the
row above and in the row below; the bridge columns alternate from one bridge
row to the next. Qubits are numbered row by row, each bridge row after the row
above it.
"""

from __future__ import annotations

from qruntime.errors import InvalidInputError

Edge = tuple[int, int]

# IBM Falcon r5 (27 qubits): the layout of ibm_kolkata, ibm_auckland, ibm_cairo, ...
FALCON_EDGES: tuple[Edge, ...] = (
    (0, 1), (1, 2), (1, 4), (2, 3), (3, 5), (4, 7), (5, 8), (6, 7), (7, 10),
    (8, 9), (8, 11), (10, 12), (11, 14), (12, 13), (12, 15), (13, 14), (14, 16),
    (15, 18), (16, 19), (17, 18), (18, 21), (19, 20), (19, 22), (21, 23),
    (22, 25), (23, 24), (24, 25), (25, 26),
)  # fmt: skip

# Eagle r3 (127 qubits): seven rows of 14/15 qubits joined by six rows of four
# bridge qubits, the bridge columns alternating between (0, 4, 8, 12) and (2, 6, 10, 14).
_EAGLE_ROWS: tuple[range, ...] = (range(0, 14),) + (range(0, 15),) * 5 + (range(1, 15),)
_EAGLE_BRIDGE_COLUMNS = ((0, 4, 8, 12), (2, 6, 10, 14))

# Heron r2 (156 qubits): eight rows of 16 qubits joined by seven rows of four
# bridge qubits, the bridge columns alternating between (3, 7, 11, 15) and (1, 5, 9, 13).
_HERON_ROWS: tuple[range, ...] = (range(0, 16),) * 8
_HERON_BRIDGE_COLUMNS = ((3, 7, 11, 15), (1, 5, 9, 13))


def eagle_edges() -> tuple[Edge, ...]:
    """The 144 couplings of an Eagle r3 chip (ibm_brisbane, ibm_sherbrooke, ...)."""
    return bridged_rows(_EAGLE_ROWS, _EAGLE_BRIDGE_COLUMNS)


def heron_edges() -> tuple[Edge, ...]:
    """The 176 couplings of a Heron r2 chip (ibm_fez, ibm_marrakesh, ibm_kingston, ...)."""
    return bridged_rows(_HERON_ROWS, _HERON_BRIDGE_COLUMNS)


def bridged_rows(
    rows: tuple[range, ...], bridge_columns: tuple[tuple[int, ...], ...]
) -> tuple[Edge, ...]:
    """Rows of qubits (``rows[i]``: the columns row ``i`` occupies) joined by bridges.

    Bridge row ``i``, between rows ``i`` and ``i + 1``, sits at the columns
    ``bridge_columns[i % len(bridge_columns)]``.
    """
    edges: list[Edge] = []
    next_qubit = 0
    bridges: dict[int, int] = {}  # column -> bridge qubit below the previous row
    for row_index, columns in enumerate(rows):
        row = list(range(next_qubit, next_qubit + len(columns)))
        next_qubit += len(row)
        at = dict(zip(columns, row))
        edges.extend(zip(row, row[1:]))
        edges.extend((bridge, at[column]) for column, bridge in bridges.items())
        if row_index == len(rows) - 1:
            break
        columns_below = bridge_columns[row_index % len(bridge_columns)]
        bridges = dict(zip(columns_below, range(next_qubit, next_qubit + len(columns_below))))
        next_qubit += len(bridges)
        edges.extend((at[column], bridge) for column, bridge in bridges.items())
    return tuple(sorted(edges))


#: Qubit counts of the heavy-hex layouts :func:`heavy_hex_edges` knows.
HEAVY_HEX_SIZES = (27, 127, 156)


def heavy_hex_edges(num_qubits: int) -> tuple[Edge, ...]:
    """The heavy-hex coupling of IBM's chip with ``num_qubits`` qubits (27, 127 or 156)."""
    if num_qubits == 27:
        return FALCON_EDGES
    if num_qubits == 127:
        return eagle_edges()
    if num_qubits == 156:
        return heron_edges()
    raise InvalidInputError(
        f"no heavy-hex layout with {num_qubits} qubits; use 27 (Falcon), 127 (Eagle) "
        "or 156 (Heron r2)."
    )


def directed_edges(edges: tuple[Edge, ...]) -> tuple[Edge, ...]:
    """Both directions of every edge, sorted."""
    return tuple(sorted({*edges, *((b, a) for a, b in edges)}))
