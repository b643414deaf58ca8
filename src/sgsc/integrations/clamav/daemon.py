"""A throwaway clamd for development and the tests: its own folder, test signatures only.

Debian's clamav-daemon service is not used: it wants the official databases, which freshclam
cannot fetch without internet. This clamd listens only on a unix socket in the given folder
(no TCP) and loads one local signature database made here, the MD5 of the EICAR test file
(``sigtool --md5``): it starts in about 0.1 s and finds the EICAR file, alone or inside an
archive, and nothing else. It proves the wiring and protects nothing; production points
``CLAMAV_SOCKET`` at a real clamd with the official databases.

Run as root, Debian's clamd runs as root. It has no ``User`` line on purpose: with one it
drops privileges before it loads the database, and that user cannot read folders such as
pytest's 0700 temporary folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sgsc.integrations.clamav.client import clamd_ping

# clamd lives in /usr/sbin, which is not on an ordinary user's PATH on Debian.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
# In two parts so that this source file is not itself taken for the EICAR test file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_NAME = "Eicar-Test-Signature"
TEST_SIGNATURE = f"{EICAR_NAME}.UNOFFICIAL"  # clamd's name for a signature of a local .hdb
# Above ATTACHMENT_MAX_BYTES, so that the caller's own limit is the one users meet.
STREAM_MAX_BYTES = 30 * 1024 * 1024
START_SECONDS = 30.0
STOP_SECONDS = 10.0
SOCKET_PATH_MAX_BYTES = 107  # sun_path holds 108 bytes, the final NUL included
LOG_TAIL_CHARS = 2000


class ClamdError(RuntimeError):
    """clamd is missing, or could not be set up or started."""


def clamd_executables() -> tuple[str, str] | None:
    """The paths of ``clamd`` (clamav-daemon) and ``sigtool`` (clamav), if both are installed."""
    clamd = shutil.which("clamd", path=SEARCH_PATH)
    sigtool = shutil.which("sigtool", path=SEARCH_PATH)
    return (clamd, sigtool) if clamd and sigtool else None


@dataclass(frozen=True)
class ClamdSetup:
    """A prepared folder: ``command`` runs clamd in the foreground on ``socket_path``."""

    folder: Path
    socket_path: Path
    log_path: Path
    command: tuple[str, ...]


def _write_test_database(*, sigtool: str, folder: Path, database: Path) -> None:
    sample = folder / EICAR_NAME  # sigtool names the signature after the file
    sample.write_bytes(EICAR)
    try:
        result = subprocess.run([sigtool, "--md5", str(sample)],  # noqa: S603
                                capture_output=True, check=False, timeout=30)
    finally:
        sample.unlink()  # no EICAR file lies around for other scanners to find
    if result.returncode != 0 or not result.stdout.strip():
        raise ClamdError(f"sigtool --md5 failed: {result.stderr.decode(errors='replace')}")
    (database / "eicar.hdb").write_bytes(result.stdout)


def clamd_prepare(*, folder: Path, stream_max_bytes: int = STREAM_MAX_BYTES) -> ClamdSetup:
    """Write the configuration and the test signature database into ``folder``."""
    executables = clamd_executables()
    if executables is None:
        raise ClamdError("clamd is not installed (Debian packages clamav-daemon and clamav)")
    clamd, sigtool = executables
    folder = folder.resolve()
    socket_path = folder / "clamd.sock"
    if len(os.fsencode(socket_path)) > SOCKET_PATH_MAX_BYTES:
        raise ClamdError(f"the socket path is too long for a unix socket: {socket_path}")
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    _write_test_database(sigtool=sigtool, folder=folder, database=database)
    config_path = folder / "clamd.conf"
    log_path = folder / "clamd.log"
    config_path.write_text("\n".join([
        f"LocalSocket {socket_path}",
        f"DatabaseDirectory {database}",
        f"LogFile {log_path}",
        "Foreground yes",
        f"StreamMaxLength {stream_max_bytes}",
        "",
    ]))
    return ClamdSetup(folder=folder, socket_path=socket_path, log_path=log_path,
                      command=(clamd, f"--config-file={config_path}"))


@dataclass(frozen=True)
class ClamdDaemon:
    setup: ClamdSetup
    process: subprocess.Popen[bytes]

    @property
    def socket_path(self) -> str:
        return str(self.setup.socket_path)


def clamd_stop(daemon: ClamdDaemon) -> None:
    """SIGTERM (clamd removes its socket), SIGKILL if it does not stop in time."""
    daemon.process.terminate()
    try:
        daemon.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        daemon.process.kill()
        daemon.process.wait()


def clamd_start(*, folder: Path, stream_max_bytes: int = STREAM_MAX_BYTES) -> ClamdDaemon:
    """Start clamd in ``folder`` and return once it answers PING."""
    setup = clamd_prepare(folder=folder, stream_max_bytes=stream_max_bytes)
    # In the foreground clamd also echoes part of its log to stdout; errors before its log
    # file is open go to stderr.
    with setup.log_path.open("ab") as log:
        process = subprocess.Popen(setup.command, stdin=subprocess.DEVNULL,  # noqa: S603
                                   stdout=subprocess.DEVNULL, stderr=log)
    daemon = ClamdDaemon(setup=setup, process=process)
    deadline = time.monotonic() + START_SECONDS
    while not clamd_ping(socket_path=daemon.socket_path, timeout=1.0):
        if process.poll() is not None or time.monotonic() > deadline:
            clamd_stop(daemon)
            log_text = setup.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]
            raise ClamdError(f"clamd did not start (exit code {process.returncode}); "
                             f"{setup.log_path}:\n{log_text}")
        time.sleep(0.02)
    return daemon
