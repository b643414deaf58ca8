"""MLog's register call over HTTPS with a client certificate (mutual TLS).

egov4dev, guides/mlog: ``POST <base>/register`` (staging ``https://mlog.staging.egov.md:8443``,
production ``https://mlog.gov.md:8443``); MLog knows a client by its certificate's fingerprint
and answers ``{"status": "200", "message": "OK", "timestamp": "...", "UID": "..."}``, one UID
for the whole request. Faults: 400 (not valid JSON, or another error it cannot bypass), 401
(the caller is no registered information system), 404, 413 (over 256 KB), 500.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ERROR_TEXT_MAX = 500


class MLogError(Exception):
    """A register call that did not succeed; ``status`` is None when no answer came."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MLogUnavailable(MLogError):
    """Retry later: no connection, a timeout, a 5xx or 429."""


class MLogPermanentError(MLogError):
    """Sending the same request again will fail the same way."""


class MLogConfigurationError(MLogPermanentError):
    """401/403 (our certificate is not registered with MLog) or 404 (wrong URL): nothing
    can be sent until someone fixes the configuration."""


class MLogRejected(MLogPermanentError):
    """400 (or another 4xx): MLog refuses this content."""


class MLogPayloadTooLarge(MLogPermanentError):
    """413: the body is over MLog's limit; a smaller batch will pass."""


@dataclass(frozen=True)
class MLogClientConfig:
    base_url: str
    cert_file: str
    key_file: str
    ca_file: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> MLogClientConfig:
        if not settings.MLOG_URL:
            raise ImproperlyConfigured("MLOG_URL is empty: the MLog adapter is off")
        return cls(base_url=settings.MLOG_URL, cert_file=settings.MLOG_CERT_FILE,
                   key_file=settings.MLOG_KEY_FILE, ca_file=settings.MLOG_CA_FILE,
                   connect_timeout=settings.MLOG_CONNECT_TIMEOUT,
                   read_timeout=settings.MLOG_READ_TIMEOUT)


def _error_for(response: requests.Response) -> MLogError:
    status = response.status_code
    message = f"HTTP {status}: {response.text[:ERROR_TEXT_MAX]}".strip()
    if status == 413:
        return MLogPayloadTooLarge(message, status=status)
    if status in (401, 403, 404):
        return MLogConfigurationError(message, status=status)
    if status in (408, 429) or status >= 500:
        return MLogUnavailable(message, status=status)
    return MLogRejected(message, status=status)


class MLogClient:
    def __init__(self, config: MLogClientConfig) -> None:
        self.config = config
        self.register_url = config.base_url.rstrip("/") + "/register"
        self.session = requests.Session()
        self.cert = ((config.cert_file, config.key_file) if config.key_file
                     else config.cert_file) if config.cert_file else None
        # Given with each request: a Session's own ``verify`` loses to REQUESTS_CA_BUNDLE.
        self.verify: str | bool = config.ca_file or True

    @classmethod
    def from_settings(cls) -> MLogClient:
        return cls(MLogClientConfig.from_settings())

    def close(self) -> None:
        self.session.close()

    def register(self, body: bytes) -> str:
        """Send one event or a batch; return the UID MLog gave the request."""
        try:
            response = self.session.post(
                self.register_url, data=body, cert=self.cert, verify=self.verify,
                headers={"Content-Type": "application/json; charset=utf-8",
                         "Accept": "application/json"},
                timeout=(self.config.connect_timeout, self.config.read_timeout))
        except requests.exceptions.SSLError as exc:  # a certificate we or they got wrong
            raise MLogConfigurationError(f"TLS: {exc}"[:ERROR_TEXT_MAX]) from exc
        except requests.RequestException as exc:  # connection refused or reset, timeout
            raise MLogUnavailable(f"{type(exc).__name__}: {exc}"[:ERROR_TEXT_MAX]) from exc
        if not response.ok:
            raise _error_for(response)
        try:
            answer = response.json()
        except json.JSONDecodeError:
            answer = {}
        # A 200 means MLog has the events; a missing UID only costs us the reference.
        return str(answer.get("UID", "")) if isinstance(answer, dict) else ""
