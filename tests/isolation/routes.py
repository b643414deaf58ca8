"""Every route of the public and tenant URL configurations, found by walking the resolvers.

Nothing here names a view: nested ``include()``s, path converters (built-in or registered
later), regular-expression patterns and DRF router patterns are all read from the resolver
tree, so a route added tomorrow is enumerated without anyone touching this file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

PUBLIC_URLCONF = "sgsc.platform.urls_public"
TENANT_URLCONF = "sgsc.platform.urls_tenant"
URLCONFS = {"public": PUBLIC_URLCONF, "tenant": TENANT_URLCONF}

# ``<converter:name>`` or ``<name>`` inside a path() route.
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_ANY_SEGMENT = "[^/]+"


@dataclass(frozen=True)
class Param:
    name: str
    converter: str  # the converter's class name, or "regex" for a re_path group
    regex: str

    def accepts(self, value: str) -> bool:
        return re.fullmatch(self.regex, value) is not None


@dataclass(frozen=True)
class Route:
    host: str  # "public" or "tenant"
    urlconf: str
    template: str  # the joined route string, as ResolverMatch.route reports it
    name: str
    params: tuple[Param, ...]
    # The path with ``%(name)s`` placeholders (the form Django's reverse() uses).
    format_string: str

    @property
    def test_id(self) -> str:
        return f"{self.host}:/{self.template}"

    def path(self, values: dict[str, str]) -> str:
        return "/" + self.format_string % values

    def resolves_to_itself(self, path: str) -> bool:
        """``path`` is routed to this route (and not to an earlier, wider pattern)."""
        try:
            return resolve(path, urlconf=self.urlconf).route == self.template
        except Exception:  # Resolver404 or a converter refusing the value
            return False


def _piece(pattern: RoutePattern | RegexPattern | object) -> tuple[str, list[Param]]:
    """One pattern's contribution to the path: a format string and its parameters."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        params: list[Param] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group("name")
            converter = pattern.converters.get(name)
            params.append(Param(name=name,
                                converter=type(converter).__name__ if converter else "str",
                                regex=getattr(converter, "regex", _ANY_SEGMENT)))
            return f"%({name})s"

        return _ROUTE_PARAM.sub(replace, route.replace("%", "%%")), params
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex.pattern
        # A group's own regex is not kept by normalize(): any segment is tried, and
        # Route.resolves_to_itself() drops the values the real pattern refuses.
        format_string, names = normalize(regex)[0]
        return format_string, [Param(name=name, converter="regex", regex=_ANY_SEGMENT)
                               for name in names]
    # LocalePrefixPattern and the like: its current prefix, no parameters.
    return str(pattern).replace("%", "%%"), []


def _walk(patterns: Sequence[URLPattern | URLResolver], *, template: str, format_string: str,
          params: tuple[Param, ...]) -> Iterator[tuple[str, str, tuple[Param, ...], str]]:
    for entry in patterns:
        piece_format, piece_params = _piece(entry.pattern)
        joined = URLResolver._join_route(template, str(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, template=joined,
                             format_string=format_string + piece_format,
                             params=params + tuple(piece_params))
        else:
            yield (joined, format_string + piece_format, params + tuple(piece_params),
                   entry.name or getattr(entry.callback, "__qualname__", "?"))


def routes_of(host: str, urlconf: str | None = None) -> list[Route]:
    urlconf = urlconf or URLCONFS[host]
    found: dict[str, Route] = {}
    for template, format_string, params, name in _walk(
            get_resolver(urlconf).url_patterns, template="", format_string="", params=()):
        # A route shadowed by an identical earlier one is unreachable: keep the first.
        found.setdefault(template, Route(host=host, urlconf=urlconf, template=template,
                                         name=name, params=params,
                                         format_string=format_string.lstrip("^")))
    return list(found.values())


def all_routes() -> list[Route]:
    return [*routes_of("public"), *routes_of("tenant")]


@dataclass(frozen=True)
class Candidate:
    """A value that identifies one of the victim's objects."""

    value: str
    label: str  # which object it identifies, for failure messages
    # A bearer secret (activation token, session key, API key): whoever holds it may use it
    # on its own host by design, so it is tried only where it must not work.
    secret: bool = False


def fillings(route: Route, pool: Sequence[Candidate], *, include_secrets: bool = True,
             limit: int = 40) -> tuple[list[dict[str, Candidate]], list[str]]:
    """Parameter values for ``route`` taken from ``pool``: every value a converter accepts,
    combined across parameters (at most ``limit`` combinations, spread evenly), each one
    checked to resolve to this very route. Also returns the parameters nothing could fill."""
    per_param: list[list[Candidate]] = []
    unfilled: list[str] = []
    for param in route.params:
        accepted = [c for c in pool if (include_secrets or not c.secret)
                    and param.accepts(c.value)]
        if not accepted:
            unfilled.append(f"{param.name} ({param.converter}, {param.regex})")
        per_param.append(accepted)
    if unfilled:
        return [], unfilled
    combinations = list(itertools.product(*per_param))
    if len(combinations) > limit:
        step = len(combinations) / limit
        combinations = [combinations[int(i * step)] for i in range(limit)]
    result = []
    for combination in combinations:
        filling = {param.name: candidate for param, candidate in zip(route.params, combination,
                                                                     strict=True)}
        if route.resolves_to_itself(route.path({k: c.value for k, c in filling.items()})):
            result.append(filling)
    return result, []
