"""Run every benchmark: ``python -m bench`` (or ``make bench``)."""

from __future__ import annotations

import importlib
import sys

SUITES = ["bench.start", "bench.embedded", "bench.primitives", "bench.http", "bench.stock",
          "bench.workers", "bench.utility", "bench.mitigation"]


def main(names: list[str]) -> None:
    for name in names or SUITES:
        try:
            module = importlib.import_module(name if "." in name else f"bench.{name}")
        except ModuleNotFoundError as exc:
            print(f"\n(skipping {name}: {exc})")
            continue
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
