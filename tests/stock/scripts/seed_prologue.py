# --- prologue (tests/stock): record what the seed prints; the seed's lines follow unchanged ---
import builtins as _builtins
import json as _json

_printed = []
_print = _builtins.print


def _recording_print(*args, **kwargs):
    _printed.append(args[0] if len(args) == 1 else args)
    _print(*args, **kwargs)


_builtins.print = _recording_print
# --- the seed document's code blocks, in document order ---
