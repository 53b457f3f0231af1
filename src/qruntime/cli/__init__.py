"""The ``qruntime`` command line: serve, token, db, backends, jobs."""
