"""A real clamd for tests that scan files: ``running_clamd(folder)`` for a test of its own,
the session fixture ``clamd_socket`` for the rest. Without clamd installed these tests fail
(``./run test`` installs it); they never skip."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sgsc.integrations.clamav.daemon import (
    ClamdDaemon,
    ClamdError,
    clamd_executables,
    clamd_start,
    clamd_stop,
)


@contextmanager
def running_clamd(folder: Path) -> Iterator[ClamdDaemon]:
    """clamd on a socket in ``folder``, answering before it is yielded; stopped at the end."""
    if clamd_executables() is None:
        pytest.fail("clamd is not installed: install the Debian packages clamav-daemon and "
                    "clamav (./run test does)")
    try:
        daemon = clamd_start(folder=folder)
    except ClamdError as exc:
        pytest.fail(str(exc))
    try:
        yield daemon
    finally:
        clamd_stop(daemon)


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The socket path of a clamd shared by the session (test signatures only)."""
    with running_clamd(tmp_path_factory.mktemp("clamd")) as daemon:
        yield daemon.socket_path
