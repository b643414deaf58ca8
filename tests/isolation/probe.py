"""Sending the attempts and judging the answers (the rules are in ``tests/isolation/__init__``).

An attempt is one request: a route with its parameters filled from the victim's identifiers,
one method and body, and one credential (a fresh session cookie, or for ``/api/`` paths also
the attacker's API token). Every attempt gets a new session, so no attempt depends on what an
earlier one did (a sign-out, a language switch, a session ended on a foreign host).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client

from sgsc.tenants.models import Tenant
from tests.conftest import host_of
from tests.isolation.routes import Candidate, Route, fillings
from tests.isolation.world import Attacker, Victim, session_for

# (method, body): "form" is an empty form post, "json" the victim-flavoured JSON body.
METHODS: tuple[tuple[str, str | None], ...] = (
    ("GET", None), ("POST", "form"), ("POST", "json"), ("PUT", "json"), ("PATCH", "json"),
    ("DELETE", None),
)
# Away from home the attacker's credentials die in the middleware whatever the method, so
# fewer variations are needed there; the token is tried for a read and a write.
METHODS_AWAY = (("GET", None), ("POST", "json"), ("DELETE", None))
TOKEN_METHODS = (("GET", None), ("PATCH", "json"))
# A PBX connector's key opens only the call-events endpoint of its own tenant: on another
# tenant's host it is tried for a read and for a write carrying a valid batch of events (the
# JSON body's ``events``), which would be stored were the key accepted. (The public host has
# no such endpoint; trying it there would only eat into the anonymous submission quotas that
# the baselines of the public forms need.)
CONNECTOR_METHODS = (("GET", None), ("POST", "json"))
AUTHORIZATION_KEYWORDS = {"token": "Token", "connector": "Connector"}
FILLINGS_AT_HOME = 40
FILLINGS_AWAY = 2
REFUSED = frozenset({403, 404})
NOT_ALLOWED = 405
NOT_AUTHENTICATED = 401


@dataclass
class Report:
    """What the proof covered, printed at the end of the run (see conftest)."""

    routes: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    roles: set[str] = field(default_factory=set)
    tasks: dict[str, str] = field(default_factory=dict)


REPORT = Report()


@dataclass(frozen=True)
class Scenario:
    name: str
    attacker: Attacker
    host: Tenant | None  # where the requests go; None is the public host
    victim: Victim

    @property
    def at_home(self) -> bool:
        """The attacker's own host: they are signed in and hold their roles there."""
        return self.host is not None and self.host.pk == self.attacker.tenant.pk

    @property
    def on_victims_host(self) -> bool:
        return self.host is not None and self.host.pk == self.victim.tenant.pk


@dataclass(frozen=True)
class Attempt:
    method: str
    body: str | None
    path: str
    query: dict[str, str] | None
    credential: str  # "session", "token" (API token) or "connector" (PBX connector key)
    filling: dict[str, Candidate]

    def describe(self, host: str) -> str:
        params = ", ".join(f"{name}={c.value[:24]} ({c.label})"
                           for name, c in self.filling.items())
        query = f"?{self.query}" if self.query else ""
        body = f" [{self.body} body]" if self.body else ""
        return (f"{self.method} {host}{self.path}{query}{body} with the attacker's "
                f"{self.credential}" + (f"; params: {params}" if params else ""))


def response_text(response: HttpResponse) -> str:
    content = (b"".join(response.streaming_content)  # type: ignore[attr-defined]
               if response.streaming else response.content)
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return content.decode(errors="replace") + "\n" + headers


def _is_login_redirect(response: HttpResponse) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)


def _authenticated(response: HttpResponse) -> bool:
    request = getattr(response, "wsgi_request", None)
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def attempts_for(route: Route, scenario: Scenario) -> tuple[list[Attempt], list[str]]:
    victim = scenario.victim
    # A bearer secret works on its own host for whoever holds it (by design): try it
    # everywhere else.
    filled, unfilled = fillings(route, victim.candidates,
                                include_secrets=not scenario.on_victims_host,
                                limit=FILLINGS_AT_HOME if scenario.at_home else FILLINGS_AWAY)
    if unfilled:
        return [], [f"no identifier of {victim.label} fits parameter(s) {', '.join(unfilled)}: "
                    "add a candidate in tests/isolation/world.py"]
    variants: list[tuple[dict[str, Candidate], dict[str, str] | None]]
    if route.params:
        variants = [(filling, None) for filling in filled]
    else:
        probes = victim.query_probes if scenario.at_home else []
        variants = [({}, None), *[({}, query) for query in probes]]
    methods = METHODS if scenario.at_home else METHODS_AWAY
    is_api = route.template.startswith("api/")
    attempts = []
    for filling, query in variants:
        path = route.path({name: candidate.value for name, candidate in filling.items()})
        for method, body in methods:
            if query is not None and method != "GET":
                continue
            credentials = ["session"]
            if is_api and (method, body) in (TOKEN_METHODS if scenario.at_home else METHODS[:1]):
                credentials.append("token")
            if (is_api and scenario.host is not None and not scenario.at_home
                    and scenario.attacker.connector_key
                    and (method, body) in CONNECTOR_METHODS):
                credentials.append("connector")
            attempts.extend(Attempt(method=method, body=body, path=path, query=query,
                                    credential=credential, filling=filling)
                            for credential in credentials)
    return attempts, []


def send(client: Client, attempt: Attempt, *, json_body: dict[str, Any],
         authorization: str | None) -> HttpResponse:
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    if attempt.method == "GET":
        return client.get(attempt.path, attempt.query or {}, **extra)
    if attempt.body == "form":
        return client.post(attempt.path, {}, **extra)
    if attempt.body == "json":
        return client.generic(attempt.method, attempt.path, json.dumps(json_body),
                              content_type="application/json", **extra)
    return client.generic(attempt.method, attempt.path, **extra)


_CLIENTS: dict[tuple[str, str], Client] = {}


def client_for(host: str, who: str) -> Client:
    """One client per host and party for the whole run: a new client loads the middleware
    again (WhiteNoise scans the static files), which would dominate the run time."""
    client = _CLIENTS.get((host, who))
    if client is None:
        client = _CLIENTS[(host, who)] = Client(HTTP_HOST=host)
    client.cookies.clear()
    return client


def judge(route: Route, scenario: Scenario, attempt: Attempt, response: HttpResponse,
          baseline: Iterator[HttpResponse]) -> str | None:
    """Why this answer breaks isolation, or ``None``. ``baseline`` yields the answer an
    anonymous visitor gets to the same request (sent only when needed)."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    leaked = scenario.victim.leaked(response_text(response))
    if scenario.at_home:
        if leaked:
            return f"{status}, and the answer shows {scenario.victim.label}'s data {leaked}"
        if not route.params:
            return None
        if not _authenticated(response):
            return (f"{status}, but the attacker was not signed in when the view answered, "
                    "so this attempt proves nothing")
        if status in REFUSED or status == NOT_ALLOWED:
            return None
        return f"{status}: an object of {scenario.victim.label} was not refused"
    # A foreign host: the attacker's session or token must count for nothing there.
    if _authenticated(response):
        return f"{status}, and the attacker's {attempt.credential} was accepted on this host"
    refused = (status in REFUSED or status in (NOT_ALLOWED, NOT_AUTHENTICATED)
               or _is_login_redirect(response))
    anonymous: HttpResponse | None = None
    if not refused:
        anonymous = next(baseline)
        if anonymous.status_code != status:
            return (f"{status} where an anonymous visitor gets {anonymous.status_code}: "
                    "the attacker got further than anyone")
    if leaked and scenario.on_victims_host:
        # The victim's own host may show its public face (its name, an activation page)
        # to anyone; the attacker must not see more than that.
        anonymous = anonymous or next(baseline)
        leaked = [m for m in leaked if m not in scenario.victim.leaked(response_text(anonymous))]
    if leaked:
        return f"{status}, and the answer shows {scenario.victim.label}'s data {leaked}"
    return None


def probe_route(route: Route, scenario: Scenario, *,
                record: bool = True) -> tuple[int, list[str]]:
    """Send every attempt of ``route`` in ``scenario``; the attempt count and the failures."""
    attempts, failures = attempts_for(route, scenario)
    host = host_of(scenario.host)
    if route.params and not attempts and not failures:
        failures.append("no identifier of the victim resolves to this route")
    attacker = scenario.attacker
    session_key: str | None = None
    for attempt in attempts:
        client = client_for(host, "attacker")
        authorization = None
        if attempt.credential in AUTHORIZATION_KEYWORDS:
            key = attacker.api_key if attempt.credential == "token" else attacker.connector_key
            authorization = f"{AUTHORIZATION_KEYWORDS[attempt.credential]} {key}"
        else:
            # Bound to the attacker's own host, as a real sign-in there leaves it; made
            # anew once an answer ended or replaced it.
            session_key = session_key or session_for(attacker.user,
                                                     schema=attacker.tenant.schema_name)
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        response = send(client, attempt, json_body=scenario.victim.json_body,
                        authorization=authorization)
        if settings.SESSION_COOKIE_NAME in response.cookies:
            session_key = None

        def anonymous(attempt: Attempt = attempt) -> Iterator[HttpResponse]:
            yield send(client_for(host, "anonymous"), attempt,
                       json_body=scenario.victim.json_body, authorization=None)

        reason = judge(route, scenario, attempt, response, anonymous())
        if reason:
            failures.append(f"{attempt.describe(host)} → {reason}")
    if record:
        REPORT.attempts[scenario.name] += len(attempts)
        REPORT.roles.update(f"{attacker.tenant.slug}:{role}" for role in attacker.roles)
    return len(attempts), failures
