"""SAML messages sent through the browser (HTTP-POST binding) without inline script.

pysaml2 builds its POST-binding pages with ``onload="..."``, which our Content Security
Policy forbids; we take the destination and fields from its form and render our own page,
which submits through ``mpass/autosubmit.js`` and shows a "Continuă" button without JS.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action") or ""
        elif tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


def allow_form_action(response: HttpResponseBase, target_url: str) -> None:
    """The platform's policy lets forms go to our own origin only; this page posts to MPass."""
    parts = urlsplit(target_url)
    response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def post_binding_response(request: HttpRequest, *, target_url: str,
                          params: dict[str, str]) -> HttpResponse:
    """The page that posts ``params`` to ``target_url`` (an IdP's endpoint)."""
    response = render(request, "mpass/post_binding.html",
                      {"target_url": target_url, "params": params})
    allow_form_action(response, target_url)
    return response


def pysaml2_form_response(request: HttpRequest, http_info: dict[str, Any]) -> HttpResponse:
    """Re-render a POST-binding page that pysaml2 built (``http_info["data"]``)."""
    reader = _FormReader()
    reader.feed("".join(http_info["data"]))
    return post_binding_response(request, target_url=reader.action, params=reader.fields)
