"""The SAML configuration of each host (djangosaml2's ``SAML_CONFIG_LOADER``).

Every host is its own service provider: the public host and each ``<slug>.<BASE_DOMAIN>``
have the entity id ``<scheme>://<host>/saml2/metadata/``. The IdP's metadata comes from
``MPASS_IDP_METADATA`` (a file or a URL); without it (development, tests) the SP trusts the
local test identity provider at ``MPASS_TEST_IDP_URL``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig
from saml2.mdstore import MetadataStore
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from sgsc.integrations.mpass.keys import keypair_ensure

ATTRIBUTE_MAP_DIR = Path(__file__).resolve().parent / "attribute_maps"
# What MPass sends besides the NameID (the IDNP).
ATTRIBUTES = ("FirstName", "LastName", "EmailAddress", "MobilePhone", "Language")
ENTITY_PATH = "/saml2/metadata/"
ACS_PATH = "/saml2/acs/"
SLO_PATH = "/saml2/ls/post/"
# The IdP's metadata is parsed (or fetched) once per process and refreshed after this long.
METADATA_TTL_SECONDS = 3600


def sp_key_files() -> tuple[Path, Path]:
    """The SP's private key and certificate; dev and test create a throwaway pair."""
    key_file, cert_file = Path(settings.MPASS_SP_KEY_FILE), Path(settings.MPASS_SP_CERT_FILE)
    if settings.MPASS_KEYS_AUTOGENERATE:
        keypair_ensure(key_file=key_file, cert_file=cert_file, common_name="SGSC MPass SP")
    return key_file, cert_file


def sp_settings(*, base_url: str, cert_file: Path, key_file: Path | None = None) -> dict[str, Any]:
    """The pysaml2 SP configuration of the host at ``base_url``, without the IdP metadata.

    The test IdP builds the metadata of an SP from this too (``key_file=None``)."""
    conf: dict[str, Any] = {
        "entityid": f"{base_url}{ENTITY_PATH}",
        "attribute_map_dir": str(ATTRIBUTE_MAP_DIR),
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.MPASS_ACCEPTED_TIME_DIFF_SECONDS,
        "cert_file": str(cert_file),
        "service": {
            "sp": {
                "name": "SGSC",
                "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
                "endpoints": {
                    "assertion_consumer_service": [(f"{base_url}{ACS_PATH}", BINDING_HTTP_POST)],
                    "single_logout_service": [(f"{base_url}{SLO_PATH}", BINDING_HTTP_POST)],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": settings.MPASS_WANT_ASSERTIONS_SIGNED,
                "want_response_signed": settings.MPASS_WANT_RESPONSE_SIGNED,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "required_attributes": [],
                "optional_attributes": list(ATTRIBUTES),
            },
        },
    }
    if key_file is not None:
        conf["key_file"] = str(key_file)
        conf["encryption_keypairs"] = [{"key_file": str(key_file), "cert_file": str(cert_file)}]
    return conf


def _idp_metadata_source() -> dict[str, Any]:
    source: str = settings.MPASS_IDP_METADATA
    if source.startswith(("https://", "http://")):
        return {"remote": [{"url": source}]}
    if source:
        return {"local": [source]}
    # Development and tests: the local test IdP, described from its own key (no network).
    from sgsc.integrations.doubles.mpass_idp import test_idp_metadata_xml

    return {"inline": [test_idp_metadata_xml(base_url=settings.MPASS_TEST_IDP_URL)]}


class _MetadataCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._store: MetadataStore | None = None
        self._loaded_at = 0.0

    def get(self, conf: SPConfig) -> MetadataStore:
        with self._lock:
            if self._store is None or time.monotonic() - self._loaded_at > METADATA_TTL_SECONDS:
                self._store = conf.load_metadata(_idp_metadata_source())
                self._loaded_at = time.monotonic()
            return self._store

    def clear(self) -> None:
        with self._lock:
            self._store = None


idp_metadata = _MetadataCache()


def sp_config(*, base_url: str) -> SPConfig:
    key_file, cert_file = sp_key_files()
    conf = SPConfig()
    conf.load(sp_settings(base_url=base_url, cert_file=cert_file, key_file=key_file))
    conf.metadata = idp_metadata.get(conf)
    return conf


def config_loader(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's per-request configuration: this host is the service provider."""
    if request is None:
        raise ValueError("the MPass SP configuration depends on the request's host")
    return sp_config(base_url=f"{request.scheme}://{request.get_host()}")
