"""A server process on 127.0.0.1 that runs no jobs, for tests that measure what requests cost it.

``python bare_server.py PORT FOLDER MAX_BODY_BYTES`` serves the runtime API over
a fresh SQLite store in ``FOLDER`` (jobs are accepted and stay queued: no worker
processes) with the listener of ``qruntime serve``. It prints ``token TOKEN``, an
API token, before it starts listening; it stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qruntime.engine import Engine
from qruntime.engine.store import Database, sqlite_url
from qruntime.server import ServerSettings, create_app, listener


def main(port: int, folder: Path, max_body: int) -> None:
    settings = ServerSettings(port=port, max_body_bytes=max_body)
    engine = Engine(Database(sqlite_url(folder / "bare.db")), run_jobs=False)
    try:
        token = engine.accounts.create_token("hub/grp/bare", user_id="u-bare")
        print("token", token, flush=True)
        listener.server(create_app(engine, settings), settings, log_level="warning").run()
    finally:
        engine.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
