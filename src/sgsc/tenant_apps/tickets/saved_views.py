"""Saved views: an operator's named queue and filters, kept as the query parameters of the
queue page (``queues.TicketFilters.as_query`` and the queue), optionally shared with everyone
in the tenant. Opening one validates the filters again: a row named in them may be gone."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.models import SavedView
from sgsc.tenant_apps.tickets.queues import QueueName, TicketFilters, filters_invalid

QUEUE_PARAMETER = "coada"
MAX_NAME = SavedView._meta.get_field("name").max_length or 100


def saved_views_visible(*, access: TicketAccess) -> QuerySet[SavedView]:
    """The person's own views and those others shared."""
    return (SavedView.objects.filter(Q(owner=access.user) | Q(shared=True))
            .select_related("owner").order_by("name", "pk"))


def saved_view_query(view: SavedView) -> str:
    """The queue page's query string (without ``?``) that opens the view."""
    return urlencode(sorted((str(name), str(value)) for name, value in view.filters.items()))


def saved_view_create(*, access: TicketAccess, name: str, queue: str, query: QueryDict,
                      shared: bool) -> SavedView:
    with audited_refusal(action="saved_view.create", actor=access.user,
                         object_type="saved_view", details={"shared": shared},
                         with_fields=True):
        name = " ".join(name.split())
        if not name:
            raise InvalidInput(_("Dați un nume vederii."), code="required",
                               fields={"name": [_("Câmp obligatoriu.")]})
        if len(name) > MAX_NAME:
            raise InvalidInput(_("Numele are cel mult %(limit)d caractere.")
                               % {"limit": MAX_NAME}, code="too_long",
                               fields={"name": [_("Nume prea lung.")]})
        if queue not in {name.value for name in QueueName}:
            raise InvalidInput(_("Coadă necunoscută."), code="unknown_queue",
                               fields={QUEUE_PARAMETER: [_("Valoare necunoscută.")]})
        filters, errors = TicketFilters.from_query(query)
        if errors:
            raise filters_invalid(errors)
        try:
            with transaction.atomic():
                view = SavedView.objects.create(
                    owner=access.user, name=name, shared=shared,
                    filters={QUEUE_PARAMETER: queue, **dict(parse_qsl(filters.as_query()))})
        except IntegrityError:
            raise Conflict(_("Aveți deja o vedere cu acest nume."), code="saved_view_exists",
                           fields={"name": [_("Nume folosit.")]}) from None
        audit_record(action="saved_view.create", actor=access.user, object_type="saved_view",
                     object_id=view.pk, details={"name": name, "shared": shared})
    return view


def saved_view_delete(*, access: TicketAccess, view_id: int) -> None:
    """Only the owner deletes a view; anyone else's is as absent as a missing one."""
    with audited_refusal(action="saved_view.delete", actor=access.user,
                         object_type="saved_view", object_id=view_id):
        deleted, _rows = SavedView.objects.filter(pk=view_id, owner=access.user).delete()
        if not deleted:
            raise NotFound(_("Vederea nu a fost găsită."), code="saved_view_not_found")
        audit_record(action="saved_view.delete", actor=access.user, object_type="saved_view",
                     object_id=view_id)
