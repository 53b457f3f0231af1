"""qruntime benchmarks: each prints its figures next to a baseline measured in the same run.

The benchmark process runs Aer directly (the baselines) beside qruntime's
processes on a small machine. GNU OpenMP threads spin for a long while after
each parallel region by default, and a spinning baseline would slow the
server's workers it is compared with; the same short spin count that
qruntime's worker processes use is set here before Aer loads, for every run
alike.
"""

import os

os.environ.setdefault("GOMP_SPINCOUNT", "10000")
