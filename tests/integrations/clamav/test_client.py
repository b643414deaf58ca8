"""scan_stream against a real clamd (test signatures: the EICAR file only)."""

from __future__ import annotations

import io
import signal
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sgsc.integrations.clamav import daemon as clamav_daemon
from sgsc.integrations.clamav.client import ScanResult, clamd_ping, scan_stream
from sgsc.integrations.clamav.daemon import (
    EICAR,
    STREAM_MAX_BYTES,
    TEST_SIGNATURE,
    ClamdDaemon,
    ClamdError,
    clamd_prepare,
    clamd_stop,
)
from tests.clamd import running_clamd

CLEAN = "Cerere: vă rog să-mi eliberați certificatul, țin să mulțumesc.\n".encode()


def scan(data: bytes, socket_path: str, **options: Any) -> ScanResult:
    return scan_stream(stream=io.BytesIO(data), socket_path=socket_path, **options)


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("anexe/readme.txt", CLEAN)
        archive.writestr(name, data)
    return buffer.getvalue()


def test_a_clean_file_is_clean(clamd_socket: str) -> None:
    assert scan(CLEAN, clamd_socket) == ScanResult(verdict="clean")


def test_the_eicar_file_is_infected_with_the_signature_name(clamd_socket: str) -> None:
    assert scan(EICAR, clamd_socket) == ScanResult(verdict="infected", signature=TEST_SIGNATURE)


def test_the_eicar_file_inside_a_zip_is_infected(clamd_socket: str) -> None:
    result = scan(zipped("anexe/factura.com", EICAR), clamd_socket)
    assert result == ScanResult(verdict="infected", signature=TEST_SIGNATURE)


def test_an_empty_stream_is_clean(clamd_socket: str) -> None:
    # Whether an empty file is acceptable is the caller's rule, not the scanner's.
    assert scan(b"", clamd_socket).verdict == "clean"


def test_the_scan_starts_at_the_current_position(clamd_socket: str) -> None:
    stream = io.BytesIO(CLEAN + EICAR)
    stream.seek(len(CLEAN))
    assert scan_stream(stream=stream, socket_path=clamd_socket).verdict == "infected"


def test_a_file_of_exactly_the_stream_limit_is_scanned(clamd_socket: str) -> None:
    assert scan(bytes(STREAM_MAX_BYTES), clamd_socket).verdict == "clean"


def test_a_file_over_the_stream_limit_is_refused_as_unavailable(clamd_socket: str) -> None:
    result = scan(bytes(STREAM_MAX_BYTES + 1), clamd_socket)
    assert result.verdict == "unavailable"
    assert result.detail == "clamd: INSTREAM size limit exceeded. ERROR"


def test_the_socket_comes_from_the_settings(clamd_socket: str, settings: Any) -> None:
    settings.CLAMAV_SOCKET = clamd_socket
    assert scan_stream(stream=io.BytesIO(EICAR)).verdict == "infected"


def test_an_empty_setting_means_not_configured(settings: Any) -> None:
    settings.CLAMAV_SOCKET = ""
    result = scan_stream(stream=io.BytesIO(CLEAN))
    assert result.verdict == "unavailable"
    assert "not configured" in result.detail


def test_a_missing_socket_is_unavailable(tmp_path: Path) -> None:
    result = scan(CLEAN, str(tmp_path / "missing.sock"))
    assert result.verdict == "unavailable"
    assert result.detail.startswith("no clamd socket at ")


def test_a_stopped_clamd_is_unavailable(tmp_path: Path) -> None:
    with running_clamd(tmp_path) as daemon:
        assert clamd_ping(socket_path=daemon.socket_path)
        clamd_stop(daemon)
        result = scan(CLEAN, daemon.socket_path)
    assert result.verdict == "unavailable"
    assert result.detail.startswith("no clamd socket at ")  # clamd removed it when stopping


def test_a_killed_clamd_is_unavailable(tmp_path: Path) -> None:
    with running_clamd(tmp_path) as daemon:
        daemon.process.kill()
        daemon.process.wait()
        assert Path(daemon.socket_path).exists()  # left behind
        result = scan(CLEAN, daemon.socket_path)
    assert result.verdict == "unavailable"
    assert "refused the connection" in result.detail


class KillingStream(io.BytesIO):
    """Kills clamd once the first chunk has been read (and sent)."""

    def __init__(self, data: bytes, daemon: ClamdDaemon) -> None:
        super().__init__(data)
        self.daemon = daemon

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0 and self.daemon.process.poll() is None:
            self.daemon.process.kill()
            self.daemon.process.wait()
        return super().read(size)


def test_clamd_killed_in_the_middle_of_a_scan_is_unavailable(tmp_path: Path) -> None:
    with running_clamd(tmp_path) as daemon:
        stream = KillingStream(CLEAN * 10_000, daemon)
        result = scan_stream(stream=stream, socket_path=daemon.socket_path)
    assert daemon.process.returncode == -signal.SIGKILL
    assert result.verdict == "unavailable"
    assert result.detail in ("clamd closed the connection without an answer",
                             f"clamd at {daemon.socket_path}: ConnectionResetError: "
                             "[Errno 104] Connection reset by peer")


def test_a_clamd_that_does_not_answer_times_out(tmp_path: Path) -> None:
    path = str(tmp_path / "silent.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(path)
        silent.listen(1)  # connections wait in the backlog; nothing ever answers
        result = scan(CLEAN, path, timeout=0.3)
    assert result == ScanResult(verdict="unavailable",
                                detail=f"clamd at {path} did not answer within 0.3 s")


def test_without_clamd_installed_the_setup_says_so(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clamav_daemon, "SEARCH_PATH", str(tmp_path))
    with pytest.raises(ClamdError, match="clamd is not installed"):
        clamd_prepare(folder=tmp_path / "clamd")
