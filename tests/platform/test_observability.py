from __future__ import annotations

import copy
import gzip
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from logging.config import dictConfig

import pytest
import sentry_sdk
from django.conf import settings
from django.test import override_settings

from sgsc.platform import context
from sgsc.platform.observability import init_sentry


def test_json_log_lines_carry_tenant_user_and_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    config = copy.deepcopy(settings.LOGGING)
    config["loggers"] = {"sgsc.test": {"level": "INFO"}}
    config["handlers"]["console"]["formatter"] = "json"
    dictConfig(config)
    context.bind(request_id="req42", tenant="t_prov_a", user_id=7)
    try:
        logging.getLogger("sgsc.test").info("ticket opened")
    finally:
        context.reset()
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "ticket opened"
    assert record["tenant"] == "t_prov_a"
    assert record["user"] == 7
    assert record["request_id"] == "req42"
    assert record["level"] == "INFO"


class _SentryIntake(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK prefers brotli when the package is installed
            import brotli

            body = brotli.decompress(body)
        self.envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def sentry_intake() -> Iterator[tuple[str, list[bytes]]]:
    server = HTTPServer(("127.0.0.1", 0), _SentryIntake)
    _SentryIntake.envelopes = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public@127.0.0.1:{server.server_port}/1", _SentryIntake.envelopes
    server.shutdown()


def test_no_dsn_means_no_sentry() -> None:
    assert init_sentry() is False


def test_sentry_events_are_tagged_with_tenant_and_request(
        sentry_intake: tuple[str, list[bytes]]) -> None:
    dsn, envelopes = sentry_intake
    with override_settings(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="test"):
        assert init_sentry() is True
    try:
        context.bind(request_id="req99", tenant="t_hub_test")
        sentry_sdk.capture_message("probe")
        sentry_sdk.flush(timeout=5)
    finally:
        context.reset()
        sentry_sdk.init(dsn=None)  # switch it off for the rest of the run
    events = [json.loads(line) for envelope in envelopes for line in envelope.splitlines()
              if line.startswith(b"{") and b'"message"' in line]
    assert events, f"Sentry received nothing: {envelopes!r}"
    tags = events[0]["tags"]
    assert tags["tenant"] == "t_hub_test"
    assert tags["request_id"] == "req99"
