"""clamd's INSTREAM command over its unix socket.

The protocol (clamd(8)): ``zINSTREAM\\0``, then chunks ``<length: 4 bytes, big-endian><data>``,
then a chunk of length 0; clamd answers once, NUL-terminated: ``stream: OK``,
``stream: <signature> FOUND`` or ``<message> ERROR``. A stream longer than clamd's
``StreamMaxLength`` is refused with ``INSTREAM size limit exceeded. ERROR`` and the connection
closed at once. A scanner that cannot give a verdict is a result, not an exception: the caller
keeps the file in quarantine and scans it again later.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from dataclasses import dataclass
from typing import IO, Literal

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
REPLY_MAX_BYTES = 4096
SCAN_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ScanResult:
    verdict: Literal["clean", "infected", "unavailable"]
    signature: str = ""  # the signature clamd found (infected only)
    detail: str = ""  # why no verdict could be given (unavailable only)


class _Connection:
    """One connection to clamd with one deadline for everything sent and received on it."""

    def __init__(self, *, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def _arm(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(remaining)

    def connect(self, socket_path: str) -> None:
        self._arm()
        self.sock.connect(socket_path)

    def send(self, data: bytes) -> None:
        self._arm()
        self.sock.sendall(data)

    def reply(self) -> str:
        """clamd's NUL-terminated answer ('' when it closed the connection without one)."""
        received = b""
        while b"\0" not in received and len(received) < REPLY_MAX_BYTES:
            self._arm()
            data = self.sock.recv(REPLY_MAX_BYTES)
            if not data:
                break
            received += data
        return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()

    def close(self) -> None:
        self.sock.close()


def _unavailable(detail: str) -> ScanResult:
    logger.warning("virus scan unavailable: %s", detail)
    return ScanResult(verdict="unavailable", detail=detail)


def _os_error_detail(exc: OSError, *, socket_path: str, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"clamd at {socket_path} did not answer within {timeout:g} s"
    if isinstance(exc, FileNotFoundError):
        return f"no clamd socket at {socket_path}"
    if isinstance(exc, ConnectionRefusedError):
        return f"clamd at {socket_path} refused the connection (not running)"
    return f"clamd at {socket_path}: {type(exc).__name__}: {exc}"


def _result_of(reply: str) -> ScanResult:
    if reply == "stream: OK":
        return ScanResult(verdict="clean")
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream: ").removesuffix(" FOUND")
        return ScanResult(verdict="infected", signature=signature)
    if not reply:
        return _unavailable("clamd closed the connection without an answer")
    # "... ERROR": among them "INSTREAM size limit exceeded. ERROR" for a stream longer than
    # clamd's StreamMaxLength.
    return _unavailable(f"clamd: {reply}")


def scan_stream(*, stream: IO[bytes], socket_path: str | None = None,
                timeout: float = SCAN_TIMEOUT_SECONDS) -> ScanResult:
    """Scan what ``stream`` holds from its current position to its end.

    ``socket_path`` defaults to ``settings.CLAMAV_SOCKET``; empty means scanning is not
    configured (unavailable). ``timeout`` bounds the whole scan. An error reading ``stream``
    is the caller's and propagates; every failure of clamd gives ``unavailable``.
    """
    path = settings.CLAMAV_SOCKET if socket_path is None else socket_path
    if not path:
        return _unavailable("CLAMAV_SOCKET is empty: virus scanning is not configured")
    connection = _Connection(timeout=timeout)
    try:
        try:
            connection.connect(path)
            connection.send(b"zINSTREAM\0")
        except OSError as exc:
            return _unavailable(_os_error_detail(exc, socket_path=path, timeout=timeout))
        while True:
            chunk = stream.read(CHUNK_BYTES)
            try:
                connection.send(struct.pack(">I", len(chunk)) + chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # clamd stopped reading; its answer (if any) says why
            except OSError as exc:
                return _unavailable(_os_error_detail(exc, socket_path=path, timeout=timeout))
            if not chunk:
                break
        try:
            reply = connection.reply()
        except OSError as exc:
            return _unavailable(_os_error_detail(exc, socket_path=path, timeout=timeout))
    finally:
        connection.close()
    return _result_of(reply)


def clamd_ping(*, socket_path: str, timeout: float = 2.0) -> bool:
    """Whether a clamd answers PING with PONG at ``socket_path``."""
    connection = _Connection(timeout=timeout)
    try:
        connection.connect(socket_path)
        connection.send(b"zPING\0")
        return connection.reply() == "PONG"
    except OSError:
        return False
    finally:
        connection.close()
