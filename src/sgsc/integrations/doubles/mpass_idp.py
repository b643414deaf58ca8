"""A local MPass: a SAML 2.0 identity provider built on ``saml2.server.Server``.

It runs in the tests (in process) and in ``sgsc up`` (``sgsc mpass_idp``, a small WSGI
server). It trusts every SP whose entity id is ``http(s)://<host>/saml2/metadata/`` on the
base domain and builds that SP's metadata itself from the SP certificate it is given (Python
cannot resolve ``*.localhost``, so nothing is fetched). Pages are Romanian and, like the
platform's, run no inline script: the auto-posting forms load ``/static/autosubmit.js``.

Endpoints: ``GET /metadata``; ``POST /sso/post`` (a signed AuthnRequest → choose a person);
``POST /sso/respond`` (→ a signed Response posted to the SP's ACS); ``POST /slo/post`` (a
LogoutRequest → LogoutResponse, or the SP's LogoutResponse to a logout started here);
``GET /slo/initiate?sp=<entity id>&idnp=<IDNP>`` (an IdP-initiated logout).

Tests craft bad responses with ``authn_response``'s arguments (unsigned, expired, another
audience) or with a second provider holding another key (a wrong signature).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIServer, make_server

from django.conf import settings
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.samlp import (
    AuthnRequest,
    LogoutRequest,
    authn_request_from_string,
    logout_request_from_string,
)
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from sgsc.integrations.mpass.conf import ATTRIBUTE_MAP_DIR, ENTITY_PATH, sp_settings
from sgsc.integrations.mpass.keys import keypair_ensure

AUTOSUBMIT_JS = (Path(__file__).resolve().parents[1] / "mpass" / "static" / "mpass"
                 / "autosubmit.js")
# Its stylesheet lives with the platform's, so both look alike and one place keeps the colours.
STYLESHEET = (Path(__file__).resolve().parents[2] / "platform" / "static" / "sgsc" / "css"
              / "test-idp.css")
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Person:
    """What MPass knows about a person: the NameID (IDNP) and its attributes."""

    idnp: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "ro"

    def attributes(self) -> dict[str, list[str]]:
        values = {"FirstName": self.first_name, "LastName": self.last_name,
                  "EmailAddress": self.email, "MobilePhone": self.phone,
                  "Language": self.language}
        return {name: [value] for name, value in values.items() if value}


class UnknownServiceProvider(Exception):
    """The entity id is not ``http(s)://<host on the base domain>/saml2/metadata/``."""


def test_idp_key_files() -> tuple[Path, Path]:
    folder = Path(settings.SGSC_HOME) / "mpass"
    key_file, cert_file = folder / "test-idp-key.pem", folder / "test-idp-cert.pem"
    keypair_ensure(key_file=key_file, cert_file=cert_file, common_name="SGSC test MPass IdP")
    return key_file, cert_file


def _idp_settings(*, base_url: str, key_file: Path, cert_file: Path) -> dict[str, Any]:
    return {
        "entityid": f"{base_url}/metadata",
        "attribute_map_dir": str(ATTRIBUTE_MAP_DIR),
        "key_file": str(key_file),
        "cert_file": str(cert_file),
        "service": {
            "idp": {
                "name": "MPass (test)",
                "endpoints": {
                    "single_sign_on_service": [(f"{base_url}/sso/post", BINDING_HTTP_POST)],
                    "single_logout_service": [(f"{base_url}/slo/post", BINDING_HTTP_POST)],
                },
                "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                "want_authn_requests_signed": True,
                "want_logout_requests_signed": True,
                "sign_response": True,
                "sign_assertion": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC,
                                       "attribute_restrictions": None}},
            },
        },
    }


def test_idp_metadata_xml(*, base_url: str) -> str:
    """The metadata of the test IdP at ``base_url`` (what an SP trusts in dev and tests)."""
    key_file, cert_file = test_idp_key_files()
    conf = IdPConfig()
    conf.load(_idp_settings(base_url=base_url, key_file=key_file, cert_file=cert_file))
    return str(entity_descriptor(conf))


def _decode(message: str) -> str:
    try:
        return base64.b64decode(message, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a base64 SAML message") from exc


@dataclass
class TestIdentityProvider:
    """The IdP. ``people`` are offered on the choice page (the demo people in development)."""

    base_url: str
    sp_cert_file: Path
    base_domain: str
    key_file: Path | None = None
    cert_file: Path | None = None
    people: Sequence[Person] = ()
    _trusted: set[str] = field(default_factory=set)
    # Who signed in here, per SP: an IdP-initiated logout names them.
    sessions: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key_file is None or self.cert_file is None:
            self.key_file, self.cert_file = test_idp_key_files()
        conf = IdPConfig()
        conf.load(_idp_settings(base_url=self.base_url, key_file=self.key_file,
                                cert_file=self.cert_file))
        conf.metadata = conf.load_metadata({})  # filled by ``trust`` as SPs show up
        self.server = Server(config=conf)
        self.entity_id: str = conf.entityid
        domain = re.escape(self.base_domain)
        self._sp_pattern = re.compile(
            rf"^(https?://(?:[a-z0-9-]+\.)?{domain}(?::\d+)?){re.escape(ENTITY_PATH)}$")

    # --- trust ---------------------------------------------------------------------------

    def trust(self, sp_entity_id: str) -> None:
        """Load the SP's metadata, built from its entity id and the SP certificate."""
        if sp_entity_id in self._trusted:
            return
        match = self._sp_pattern.match(sp_entity_id)
        if match is None:
            raise UnknownServiceProvider(sp_entity_id)
        conf = SPConfig()
        conf.load(sp_settings(base_url=match.group(1), cert_file=self.sp_cert_file))
        self.server.metadata.load("inline", str(entity_descriptor(conf)))
        self._trusted.add(sp_entity_id)

    def metadata_xml(self) -> str:
        return str(entity_descriptor(self.server.config))

    # --- single sign-on ------------------------------------------------------------------

    def authn_request_parse(self, saml_request: str) -> AuthnRequest:
        """The SP's AuthnRequest, its signature checked (``ValueError`` when not valid)."""
        message: AuthnRequest = self._parse_signed(
            saml_request, kind="AuthnRequest", from_string=authn_request_from_string,
            parse=self.server.parse_authn_request)
        return message

    def _parse_signed(self, saml_request: str, *, kind: str, from_string: Callable[[str], Any],
                      parse: Callable[[str, str], Any]) -> Any:
        """An SP's request of ``kind`` (its issuer trusted first, so its key is known), its
        signature checked; ``ValueError`` when it is not valid."""
        unverified = from_string(_decode(saml_request))
        if unverified is None or unverified.issuer is None:
            raise ValueError(f"no {kind} with an issuer")
        self.trust(unverified.issuer.text)
        try:
            request = parse(saml_request, BINDING_HTTP_POST)
        except Exception as exc:  # pysaml2 raises many kinds for a bad request
            raise ValueError(f"{kind} not valid: {exc!r}") from exc
        if request is None or not request.message.signature:
            raise ValueError(f"{kind} not signed")
        return request.message

    def authn_response(self, request: AuthnRequest, person: Person, *, sign: bool = True,
                       audience: str | None = None) -> str:
        """A Response (XML) to ``request``, valid for five minutes. Tests make it bad on
        purpose: ``sign=False`` unsigned, ``audience`` another SP's entity id; an expired one
        is made by creating it in the past (the tests travel in time)."""
        sp_entity_id = audience or request.issuer.text
        self.trust(sp_entity_id)
        response = self.server.create_authn_response(
            person.attributes(), in_response_to=request.id,
            destination=request.assertion_consumer_service_url, sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=person.idnp),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=sign, sign_assertion=sign,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256,
        )
        self.sessions.setdefault(request.issuer.text, set()).add(person.idnp)
        return str(response)

    # --- single logout -------------------------------------------------------------------

    def logout_request_to(self, sp_entity_id: str, idnp: str) -> tuple[str, str]:
        """An IdP-initiated LogoutRequest: (SP's logout URL, XML)."""
        self.trust(sp_entity_id)
        destination = self.server.metadata.single_logout_service(
            sp_entity_id, BINDING_HTTP_POST, "spsso")[0]["location"]
        _id, request = self.server.create_logout_request(
            destination, sp_entity_id, name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED,
                                                      text=idnp),
            sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        self.sessions.get(sp_entity_id, set()).discard(idnp)
        return destination, str(request)

    def logout_response_to(self, saml_request: str) -> tuple[str, str]:
        """Answer an SP's LogoutRequest: (SP's logout URL, LogoutResponse XML)."""
        parsed = self._parse_logout_request(saml_request)
        issuer = parsed.issuer.text
        self.sessions.get(issuer, set()).discard(parsed.name_id.text)
        response = self.server.create_logout_response(
            parsed, [BINDING_HTTP_POST], sign=True, sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256)
        args = self.server.response_args(parsed, [BINDING_HTTP_POST])
        return args["destination"], str(response)

    def _parse_logout_request(self, saml_request: str) -> LogoutRequest:
        message: LogoutRequest = self._parse_signed(
            saml_request, kind="LogoutRequest", from_string=logout_request_from_string,
            parse=self.server.parse_logout_request)
        return message

    # --- the web pages (WSGI) ------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        form = _form(environ) if method == "POST" else {}
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING",
                                                                        "")).items()}
        try:
            if method == "GET" and path == "/metadata":
                return _respond(start_response, "200 OK", self.metadata_xml(),
                                "application/samlmetadata+xml")
            if method == "GET" and path == "/static/autosubmit.js":
                return _respond(start_response, "200 OK", AUTOSUBMIT_JS.read_text(),
                                "text/javascript")
            if method == "GET" and path == "/static/idp.css":
                return _respond(start_response, "200 OK", STYLESHEET.read_text(), "text/css")
            if method == "POST" and path == "/sso/post":
                request = self.authn_request_parse(form.get("SAMLRequest", ""))
                return self._page(start_response, self._choice_page(form, request))
            if method == "POST" and path == "/sso/respond":
                request = self.authn_request_parse(form.get("SAMLRequest", ""))
                person = Person(**{name: form.get(name, "").strip()
                                   for name in Person.__dataclass_fields__})
                if not re.fullmatch(r"\d{13}", person.idnp):
                    raise ValueError("IDNP must have 13 digits")
                xml = self.authn_response(request, person)
                return self._page(start_response, _post_page(
                    request.assertion_consumer_service_url, "SAMLResponse", xml,
                    form.get("RelayState", "")))
            if method == "POST" and path == "/slo/post" and "SAMLRequest" in form:
                destination, xml = self.logout_response_to(form["SAMLRequest"])
                return self._page(start_response, _post_page(
                    destination, "SAMLResponse", xml, form.get("RelayState", "")))
            if method == "POST" and path == "/slo/post" and "SAMLResponse" in form:
                return self._page(start_response, _message_page(_("Ați ieșit din sistem.")))
            if method == "GET" and path == "/slo/initiate":
                destination, xml = self.logout_request_to(query.get("sp", ""),
                                                          query.get("idnp", ""))
                return self._page(start_response, _post_page(destination, "SAMLRequest", xml,
                                                              ""))
        except (ValueError, UnknownServiceProvider, LookupError) as exc:
            return self._page(start_response, _message_page(
                _("Cererea nu poate fi procesată: %(reason)s") % {"reason": exc}),
                status="400 Bad Request")
        return self._page(start_response, _message_page(_("Pagina nu există.")),
                          status="404 Not Found")

    def _page(self, start_response: StartResponse, body: str,
              status: str = "200 OK") -> Iterable[bytes]:
        # The same policy as the platform's: our own scripts only, forms may go to any SP.
        headers = [("Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self'; "
                    "form-action 'self' http: https:; frame-ancestors 'none'")]
        return _respond(start_response, status, body, "text/html; charset=utf-8", headers)

    def _choice_page(self, form: dict[str, str], request: AuthnRequest) -> str:
        hidden = (_hidden("SAMLRequest", form["SAMLRequest"])
                  + _hidden("RelayState", form.get("RelayState", "")))
        rows = []
        for person in self.people:
            fields = "".join(_hidden(name, value) for name, value in asdict(person).items())
            label = f"{person.first_name} {person.last_name} · {person.idnp}"
            rows.append(f'<li><form method="post" action="/sso/respond">{hidden}{fields}'
                        f'<button type="submit">{html.escape(label)}</button></form></li>')
        people = (f"<h2>{_('Persoane demonstrative')}</h2><ul>{''.join(rows)}</ul>"
                  if rows else "")
        inputs = "".join(
            f'<p><label>{html.escape(label)} <input name="{name}"'
            f'{" required" if name == "idnp" else ""}></label></p>'
            for name, label in (("idnp", _("IDNP")), ("first_name", _("Prenume")),
                                ("last_name", _("Nume")), ("email", _("E-mail")),
                                ("phone", _("Telefon")), ("language", _("Limba (ro, ru, en)"))))
        sp = html.escape(request.issuer.text)
        return _html(_("MPass de test"), (
            f"<h1>{_('MPass de test')}</h1>"
            f"<p>{_('Autentificare pentru')} <code>{sp}</code></p>{people}"
            f"<h2>{_('Altă persoană')}</h2>"
            f'<form method="post" action="/sso/respond">{hidden}{inputs}'
            f'<button type="submit">{_("Autentificare")}</button></form>'))


def _form(environ: dict[str, Any]) -> dict[str, str]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8") if length else ""
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def _respond(start_response: StartResponse, status: str, body: str, content_type: str,
             headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", content_type),
                            ("Content-Length", str(len(data))), *(headers or [])])
    return [data]


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'


def _html(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="ro"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>"
            f'<link rel="stylesheet" href="/static/idp.css">'
            f'<script src="/static/autosubmit.js" defer></script></head><body>{body}</body></html>')


def _message_page(message: str) -> str:
    return _html(_("MPass de test"), f"<h1>{_('MPass de test')}</h1><p>{html.escape(message)}</p>")


def _post_page(destination: str, name: str, xml: str, relay_state: str) -> str:
    """An auto-posting form (external script) with a visible button for browsers without JS."""
    message = base64.b64encode(xml.encode("utf-8")).decode("ascii")
    relay = _hidden("RelayState", relay_state) if relay_state else ""
    return _html(_("MPass de test"), (
        f'<form method="post" action="{html.escape(destination)}" data-saml-autosubmit>'
        f"{_hidden(name, message)}{relay}"
        f"<p>{_('Vă redirecționăm către serviciu.')}</p>"
        f'<button type="submit">{_("Continuă")}</button></form>'))


def serve(idp: TestIdentityProvider, *, host: str, port: int) -> WSGIServer:
    """A plain WSGI server for the IdP (call ``serve_forever`` on it, or run it in a thread)."""
    return make_server(host, port, idp)

