"""A local MLog for tests: HTTPS with client certificates on the loopback, on a free port.

It speaks MLog's register call as egov4dev documents it (guides/mlog): ``POST /register``
with one JSON object or several separated by white space (MLog's own clients put each on
its own line); 400 when that is not valid JSON, not an object, lacks ``event_time`` or
``event_type``, has a malformed ``event_time``, a string over 32,766 bytes or a reserved field
name (``_``/``@``); 401 when the client certificate's fingerprint is not registered (or there
is none); 404 elsewhere; 413 above the size limit (256 KB); on success
``{"status": "200", "message": "OK", "timestamp": "<ms>", "UID": "<uuid>"}``. Signed (JWS)
events are not supported by the double (400).

It makes its own certificate authority, server certificate and client certificates
(``client_credentials``), keeps what arrived (``received``, ``events``), and can be taken
down (``go_down("503")`` answers 503, ``go_down("refuse")`` closes the port) and up again.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import re
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOCUMENTED_MAX_BYTES = 256 * 1024
STRING_MAX_BYTES = 32_766
# YYYY-MM-dd[THH:mm:ss[.SSS][Z|±HH[mm]]] (the colon in the offset as in MLog's examples)
EVENT_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}(:?\d{2})?)?)?$")


@dataclass(frozen=True)
class Credentials:
    cert_file: str
    key_file: str
    fingerprint: str


@dataclass(frozen=True)
class Received:
    uid: str
    events: list[dict[str, Any]]
    client_fingerprint: str
    body_bytes: int


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_pem(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


class _Authority:
    """A throwaway certificate authority for the server and its clients."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = self._issue(_name("MLog double CA"), self.key.public_key(), ca=True)
        self.ca_file = folder / "ca.crt"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def _issue(self, subject: x509.Name, public_key: ec.EllipticCurvePublicKey, *,
               ca: bool = False, server: bool = False) -> x509.Certificate:
        now = datetime.datetime.now(datetime.UTC)
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(_name("MLog double CA")).public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
        return builder.sign(self.key, hashes.SHA256())

    def issue(self, name: str, *, server: bool = False) -> tuple[Path, Path, str]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._issue(_name(name), key.public_key(), server=server)
        _write_pem(self.folder / name, key, cert)
        fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        return self.folder / f"{name}.crt", self.folder / f"{name}.key", fingerprint


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the tests look at ``received``."""

    def _answer(self, status: int, message: str, **extra: str) -> None:
        body = json.dumps({"status": str(status), "message": message,
                           "timestamp": str(int(time.time() * 1000)), **extra}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(404, "The URL you have reached is not in service at this time (404).")

    def do_POST(self) -> None:
        double = self.server.double
        with double.lock:
            double.requests += 1
            forced = double.forced.pop(0) if double.forced else None
        if double.down:
            self.close_connection = True
            return self._answer(503, "Service Unavailable")
        if forced is not None:
            return self._answer(forced, HTTPStatus(forced).phrase)
        if self.path.rstrip("/") != "/register":
            return self._answer(404, "The URL you have reached is not in service at this "
                                     "time (404).")
        fingerprint = self._client_fingerprint()
        if fingerprint not in double.known_clients:
            return self._answer(401, "The event cannot be identified to be part of any IS")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)  # read even when refused, so the client hears why
        if length > double.max_bytes:
            return self._answer(413, f"The maximum allowed message size is "
                                     f"{double.max_bytes // 1024} KB")
        try:
            events = parse_events(body)
        except ValueError as exc:
            return self._answer(400, str(exc))
        if double.reject is not None and any(double.reject(event) for event in events):
            return self._answer(400, "Event refused by the test")
        uid = str(uuid.uuid4())
        with double.lock:
            double.received.append(Received(uid=uid, events=events,
                                            client_fingerprint=fingerprint,
                                            body_bytes=length))
        return self._answer(200, "OK", UID=uid)

    def _client_fingerprint(self) -> str:
        connection = self.connection
        if not isinstance(connection, ssl.SSLSocket):
            return ""
        cert = connection.getpeercert(binary_form=True)
        return hashlib.sha256(cert).hexdigest() if cert else ""


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of a register request, or ValueError with MLog's kind of explanation."""
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise ValueError("The input request is not a valid JSON") from exc
    decoder = json.JSONDecoder()
    events: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise ValueError(f"The input request is not a valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise ValueError("Each event must be a JSON object")
        _check_event(value)
        events.append(value)
    if not events:
        raise ValueError("The input request is not a valid JSON: no event")
    return events


def _check_event(event: dict[str, Any]) -> None:
    for field in ("event_time", "event_type"):
        if not isinstance(event.get(field), str) or not event[field]:
            raise ValueError(f"Mandatory field {field} is missing")
    if not EVENT_TIME.match(event["event_time"]):
        raise ValueError(f"event_time {event['event_time']!r} has not the expected format")
    for key, value in event.items():
        if key.startswith(("_", "@")):
            raise ValueError(f"Field name {key!r} is reserved")
        if isinstance(value, str) and len(value.encode()) > STRING_MAX_BYTES:
            raise ValueError(f"Field {key!r} is longer than {STRING_MAX_BYTES} bytes")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    double: MLogDouble


class MLogDouble:
    def __init__(self, *, max_bytes: int = DOCUMENTED_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.folder = Path(tempfile.mkdtemp(prefix="mlog-double-"))
        self.authority = _Authority(self.folder)
        self.ca_file = str(self.authority.ca_file)
        server_cert, server_key, _fingerprint = self.authority.issue("server", server=True)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(server_cert, server_key)
        self.tls.load_verify_locations(cafile=self.ca_file)
        self.tls.verify_mode = ssl.CERT_OPTIONAL  # no certificate: the request gets 401
        self.known_clients: set[str] = set()
        self.received: list[Received] = []
        self.requests = 0
        self.forced: list[int] = []
        self.reject: Callable[[dict[str, Any]], bool] | None = None
        self.down = False
        self.lock = threading.Lock()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event received, in arrival order."""
        with self.lock:
            return [event for received in self.received for event in received.events]

    def client_credentials(self, name: str = "sgsc", *, registered: bool = True) -> Credentials:
        """A client certificate signed by the double's CA; registered: MLog knows it."""
        cert, key, fingerprint = self.authority.issue(f"client-{name}")
        if registered:
            self.known_clients.add(fingerprint)
        return Credentials(cert_file=str(cert), key_file=str(key), fingerprint=fingerprint)

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (e.g. 500, 429), then normally."""
        with self.lock:
            self.forced.extend(statuses)

    def start(self) -> MLogDouble:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.double = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True,
                                        name="mlog-double")
        self._thread.start()
        return self

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def go_down(self, how: Literal["503", "refuse"] = "503") -> None:
        if how == "refuse":
            self._close()
        else:
            self.down = True

    def go_up(self) -> None:
        self.down = False
        if self._server is None:
            self.start()  # the same port again

    def stop(self) -> None:
        self._close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> MLogDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
