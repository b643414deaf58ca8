"""The exchange filters, shared by the page and the API."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.audit.forms import CHOICE_ERRORS, LocalDateTimeField, TimeRangeForm
from sgsc.shared_apps.exchange.models import Exchange
from sgsc.shared_apps.exchange.selectors import INCOMING, OUTGOING, ExchangeFilters
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real


class ExchangeFilterForm(TimeRangeForm):
    """On a tenant host: the direction; on the public host: the tenant (either side). Neither
    field exists on the other host, so no query string can widen the scope."""

    direction = forms.ChoiceField(label=_("Sens"), required=False, error_messages=CHOICE_ERRORS,
                                  choices=[("", _("Oricare")), (OUTGOING, _("Trimise")),
                                           (INCOMING, _("Primite"))])
    tenant = forms.ChoiceField(label=_("Prestator"), required=False,
                               error_messages=CHOICE_ERRORS)
    status = forms.ChoiceField(label=_("Stare"), required=False, error_messages=CHOICE_ERRORS,
                               choices=[("", _("Oricare")), *Exchange.Status.choices])
    since = LocalDateTimeField(label=_("De la"), required=False)
    until = LocalDateTimeField(label=_("Până la"), required=False, end_of_day=True)

    def __init__(self, *args: Any, host: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not host.is_public:
            del self.fields["tenant"]
            return
        del self.fields["direction"]
        tenants = tenant_list_real().only("slug", "name").order_by("name")
        cast(forms.ChoiceField, self.fields["tenant"]).choices = [
            ("", _("Oricare")), *((tenant.slug, tenant.name) for tenant in tenants)]

    def filters(self) -> ExchangeFilters:
        """The validated filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ExchangeFilters(direction=data.get("direction") or "",
                               tenant=data.get("tenant") or "", status=data["status"],
                               since=data["since"], until=data["until"])
