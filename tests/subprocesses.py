"""Real processes on the test database, for tests that need another process to see it:
gunicorn for the browser tests, a Celery worker for the task tests."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from tests.conftest import database_url_for_subprocesses

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORKER_QUEUES = "default,periodic,audit"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def subprocess_env(django_db_blocker: Any, *,
                   settings_module: str = "sgsc.platform.settings.test",
                   **extra: str) -> dict[str, str]:
    """The environment of a process that must work on this session's test database."""
    with django_db_blocker.unblock():
        database_url = database_url_for_subprocesses()
    return {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "LOG_JSON": "false",
            **extra}


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _answers(port: int, path: str) -> bool:
    """A plain connection (no proxy from the environment): 200 at ``path`` on loopback."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def _serving(command: list[str], *, env: dict[str, str], port: int, ready_path: str,
             log_path: Path, name: str) -> Iterator[None]:
    """``command`` running, answering 200 at ``ready_path`` on ``port`` before it is yielded;
    stopped at the end."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port, ready_path):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{name} did not start:\n" + log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield
    finally:
        _stop(process)


@contextmanager
def gunicorn_server(env: dict[str, str], *, port: int, log_path: Path) -> Iterator[int]:
    """gunicorn on ``port``, ready (``/healthz``) before it is yielded; stopped at the end."""
    with _serving([sys.executable, "-m", "gunicorn", "sgsc.platform.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
                  env=env, port=port, ready_path="/healthz", log_path=log_path,
                  name="gunicorn"):
        yield port


@contextmanager
def celery_worker(env: dict[str, str], *,
                  log_path: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker (solo pool) with ``env``, its queues emptied first."""
    client = redis.Redis.from_url(env["REDIS_URL"])
    for queue in WORKER_QUEUES.split(","):
        client.delete(queue)  # nothing left from an earlier run
    log = log_path.open("wb") if log_path is not None else None
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sgsc.platform.celery", "worker", "--pool",
             "solo", "--queues", WORKER_QUEUES, "--loglevel", "INFO" if log else "WARNING",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
        )
    finally:
        if log is not None:
            log.close()
    try:
        yield process
    finally:
        _stop(process)


@contextmanager
def mpass_idp_server(env: dict[str, str], *, port: int, log_path: Path) -> Iterator[int]:
    """The local test MPass (``sgsc mpass_idp``) on ``port``, ready (``/metadata``) before it
    is yielded; stopped at the end. ``env`` names its public address (``MPASS_TEST_IDP_URL``).
    It offers the people with an IDNP that exist when it starts: commit them first."""
    with _serving([sys.executable, "-m", "sgsc.platform.cli", "mpass_idp", "--bind",
                   "127.0.0.1", "--port", str(port)],
                  env=env, port=port, ready_path="/metadata", log_path=log_path,
                  name="the test MPass"):
        yield port
