"""Gunicorn as a library: ``kg serve`` runs the app in ``workers`` gthread processes.

Each gunicorn worker builds its own app (no ``preload_app``), hence its own pool of query
processes, which open the store read-only: nothing in the server holds RocksDB's write lock,
so ``kg build`` can write the store while it is served (readers reopen when it changed).
Threads per worker = query processes per worker, so a request never waits for a free one.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

THREADS = 4


class _Gunicorn(BaseApplication):
    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from kg.web import create_app

        return create_app(self.app_config)


def run_gunicorn(config: dict[str, Any], *, host: str, port: int, workers: int,
                 timeout: float) -> None:
    """Serve ``create_app(config)`` on ``host:port`` until interrupted."""
    options = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": THREADS,
        # gunicorn's own watchdog only catches a wedged worker; queries are stopped earlier
        "timeout": int(timeout) + 30,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": None,
    }
    _Gunicorn({**config, "EXECUTOR_WORKERS": THREADS}, options).run()
