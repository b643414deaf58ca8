"""Language of the interface: Romanian unless the person chose otherwise.

Order: the explicit choice (the language cookie set by the switch), then the signed-in
person's preferred language, then Romanian. The browser's Accept-Language is not used:
a state service answers in the state language first (Law 52/2017 style practice) and
offers Russian and English on request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

_SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def language_for(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in _SUPPORTED:
        return chosen
    user = getattr(request, "user", None)
    preferred = getattr(user, "preferred_language", "") if user is not None else ""
    if user is not None and user.is_authenticated and preferred in _SUPPORTED:
        return str(preferred)
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Replaces Django's LocaleMiddleware (which would follow the browser); after auth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
