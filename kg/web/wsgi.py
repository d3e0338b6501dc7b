"""The production servers behind ``kg serve``: Granian (default) or gunicorn.

Both run ``workers`` processes, each building its own app (hence its own pool of query
processes, which open the store read-only): nothing in the server holds RocksDB's write lock,
so ``kg build`` can write the store while it is served (readers reopen when it changed).
Each process runs ``THREADS`` request threads over ``QUERY_PROCESSES`` query processes: requests
beyond the processes wait in the pool (newest first), where a long query gives way to them
(``kg.web.executor``), rather than in the server's queue, where nothing could.

Why Granian by default: its HTTP layer is Rust (hyper), gunicorn's is Python. Measured on the
2-core benchmark machine at concurrency 8, a WSGI callable returning a constant answers
~9,900 req/s under Granian and ~6,600 under gunicorn gthread, against ~7,900 for
``oxigraph serve`` running a one-row query: under gunicorn the HTTP layer alone leaves too
little room for the query to get near Oxigraph (``bench/README.md``). gunicorn stays available
(``--server gunicorn``) for deployments that standardise on it.
"""

from __future__ import annotations

import errno
import socket
from functools import partial
from typing import Any

from kg.errors import KGError

#: Request threads of a server process.
THREADS = 8
#: Query processes of a server process (``EXECUTOR_WORKERS``): fewer than ``THREADS``, so that
#: requests beyond them wait in the pool, where a long query gives way to them.
QUERY_PROCESSES = 4
SERVERS = ("granian", "gunicorn")


def check_port(host: str, port: int) -> None:
    """Raise ``KGError`` naming ``host:port`` unless a server could listen there.

    Granian listens with ``SO_REUSEPORT``, so a second ``kg serve`` on a port in use would
    start and silently share the requests with the first; this probe binds without it (with
    ``SO_REUSEADDR`` only, so a port left in ``TIME_WAIT`` by a stopped server is free), which
    fails on a port held by any listener, Granian or not.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise KGError(f"cannot serve on {host}:{port}: {e.strerror}") from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as e:
                if e.errno == errno.EADDRINUSE:
                    raise KGError(f"port {port} on {host} is already in use (another kg serve "
                                  f"or another program): stop it or choose another --port"
                                  ) from None
                raise KGError(f"cannot serve on {host}:{port}: {e.strerror}") from None


def _create_app(target: str, config: dict[str, Any]):
    """Granian's target loader, called in each worker process (``target`` is unused)."""
    from kg.web import create_app
    from kg.web.middleware import configure_logs

    configure_logs(config.get("ACCESS_LOG"), config.get("ERROR_LOG"))
    return create_app(config)


def run_granian(config: dict[str, Any], *, host: str, port: int, workers: int,
                timeout: float) -> None:
    """Serve ``create_app(config)`` with Granian on ``host:port`` until interrupted."""
    from granian import Granian
    from granian.constants import Interfaces

    server = Granian(
        "kg.web:create_app",  # only named in Granian's log; _create_app builds the app
        address=host, port=port, interface=Interfaces.WSGI,
        # Granian's backpressure counts connections, idle keep-alive ones included: keep its
        # default (backlog / workers), or a few idle clients would lock everybody else out
        workers=max(1, workers), blocking_threads=THREADS,
        respawn_failed_workers=True,  # e.g. after the kernel's OOM killer
        workers_kill_timeout=max(5, int(timeout)),
    )
    server.serve(target_loader=partial(_create_app, config={**config,
                                                           "EXECUTOR_WORKERS": QUERY_PROCESSES}))


def run_gunicorn(config: dict[str, Any], *, host: str, port: int, workers: int,
                 timeout: float) -> None:
    """Serve ``create_app(config)`` with gunicorn gthread workers until interrupted."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": max(1, workers),
                "worker_class": "gthread",
                "threads": THREADS,
                # gunicorn's own watchdog only catches a wedged worker; queries stop earlier
                "timeout": int(timeout) + 30,
                "graceful_timeout": 5,
                "keepalive": 5,
                "accesslog": None,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return _create_app("", {**config, "EXECUTOR_WORKERS": QUERY_PROCESSES})

    Gunicorn().run()


def run(server: str, config: dict[str, Any], **options: Any) -> None:
    """Serve with ``server`` (one of ``SERVERS``)."""
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}; use one of {', '.join(SERVERS)}")
    check_port(options["host"], options["port"])
    (run_granian if server == "granian" else run_gunicorn)(config, **options)
