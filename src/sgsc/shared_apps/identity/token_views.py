"""``/profil/tokenuri/``: the signed-in person's API tokens for this host."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.shared_apps.identity.services import api_token_issue, api_token_revoke
from sgsc.shared_apps.identity.token_selectors import (
    STATE_LABELS,
    api_token_get_own,
    api_token_state,
    api_tokens_of,
)

PAGE_SIZE = 25

# The session middleware has already signed out anyone without access on this host, so a
# signed-in person here is someone who may hold tokens for it.


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Denumire"), max_length=100,
                           help_text=gettext_lazy("De exemplu, aplicația care îl folosește."))
    valid_days = forms.IntegerField(
        label=gettext_lazy("Valabil (zile)"), required=False, min_value=1, max_value=366,
        help_text=gettext_lazy("Lăsați gol pentru un token fără termen."))


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required ran first


def _render_list(request: HttpRequest, form: TokenCreateForm, *, status: int = 200,
                 new_key: str = "") -> HttpResponse:
    tokens = api_tokens_of(user=_me(request), tenant=host_tenant(request))
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = []
    for token in page.object_list:
        state = api_token_state(token)
        rows.append((token, state, STATE_LABELS[state]))
    return render(request, "identity/tokens/list.html", {
        "form": form, "page": page, "rows": rows, "new_key": new_key,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The list, and the form that issues a token; the key is shown once, in the answer."""
    if request.method != "POST":
        return _render_list(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            _token, key = api_token_issue(user=_me(request), tenant=host_tenant(request),
                                          name=form.cleaned_data["name"],
                                          valid_days=form.cleaned_data["valid_days"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _render_list(request, TokenCreateForm(), new_key=key)
    return _render_list(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then revoke: a program using the token stops at its next call."""
    token = api_token_get_own(user=_me(request), tenant=host_tenant(request), pk=pk)
    if request.method == "POST":
        api_token_revoke(actor=_me(request), token=token)
        messages.success(request, _("Tokenul „%(name)s” a fost revocat.") % {"name": token.name})
        return redirect("token-list")
    return render(request, "identity/tokens/revoke.html", {
        "token": token, "state": api_token_state(token)})
