"""Decompression bombs, made without compressing gigabytes: zlib streams of zeros."""

from __future__ import annotations

import base64
import struct
import zlib

CHUNK = 1024 * 1024


def zero_stream(inflated: int) -> bytes:
    """A zlib stream of ``inflated`` zero bytes (a multiple of 1 MiB), 1000 times smaller.

    After a full flush a deflate stream holds no history, so each further MiB of
    zeros compresses to the same bytes: compress one, repeat it, end the stream.
    """
    assert inflated % CHUNK == 0 and inflated >= 2 * CHUNK
    zeros = bytes(CHUNK)
    deflater = zlib.compressobj(9)
    first = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    repeated = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(inflated // CHUNK):
        checksum = zlib.adler32(zeros, checksum)
    # An empty final block (fixed Huffman codes), then the Adler-32 of what it inflates to.
    return first + repeated * (inflated // CHUNK - 1) + b"\x03\x00" + struct.pack("!I", checksum)


def zero_envelope(type_name: str, inflated: int) -> str:
    """A JSON envelope of ``type_name`` whose value inflates to ``inflated`` zero bytes."""
    text = base64.b64encode(zero_stream(inflated)).decode()
    return '{"__type__": "%s", "__value__": "%s"}' % (type_name, text)
