"""Hubs (decision pt. 8.2): a hub tenant serves member institutions under an
interinstitutional agreement; amendments add or remove members, and the history is kept.

The original agreement is recorded as the hub's first amendment, so every membership names
the amendment that opened it (``joined_by``) and, once closed, the one that closed it
(``left_by``, ``left_at``). A membership row is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import (
    HubAgreement,
    HubAmendment,
    HubMembership,
    Institution,
)
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant

MIN_HUB_MEMBERS = 2


def hub_setup_from_request(*, hub: Tenant, contract: Contract,
                           connection_request: ConnectionRequest) -> HubAgreement:
    """The hub's agreement and first members, from its connection request. Idempotent: an
    agreement that exists already is returned unchanged."""
    with transaction.atomic():
        existing = HubAgreement.objects.select_for_update().filter(hub=hub).first()
        if existing is not None:
            return existing
        signed_on = connection_request.agreement_date or local_date(
            contract.signed_at or timezone.now())
        number = connection_request.agreement_number or contract.number
        coordinator = connection_request.coordinator or contract.institution
        agreement = HubAgreement.objects.create(hub=hub, coordinator=coordinator, number=number,
                                                signed_on=signed_on)
        original = HubAmendment.objects.create(
            agreement=agreement, number=number, signed_on=signed_on,
            note=_("Acordul interinstituțional inițial"))
        members = list(connection_request.members.order_by("pk"))
        HubMembership.objects.bulk_create(
            [HubMembership(hub=hub, institution=member, joined_by=original)
             for member in members])
        audit_record(action="hub.agreement.create", tenant=None, object_type="tenant",
                     object_id=hub.pk,
                     details={"number": number, "coordinator": coordinator.idno,
                              "members": [member.idno for member in members]})
    return agreement


def _clean_idnos(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        idno = str(value).strip()
        if idno and idno not in seen:
            seen.append(idno)
    return seen


def _check_amendment(*, hub: Tenant, number: str, signed_on: date | None,
                     add: list[str], remove: list[str]) -> date:
    if hub.kind != Tenant.Kind.HUB:
        raise Conflict(_("Spațiul „%(name)s” nu este un hub.") % {"name": hub.name},
                       code="not_a_hub")
    errors: dict[str, list[str]] = {}
    if not number.strip():
        errors["number"] = [_("Câmp obligatoriu.")]
    if signed_on is None:
        errors["signed_on"] = [_("Câmp obligatoriu.")]
    if errors or signed_on is None:
        raise InvalidInput(_("Indicați numărul și data amendamentului."), code="required",
                           fields=errors)
    if signed_on > local_date(timezone.now()):
        raise InvalidInput(_("Data amendamentului nu poate fi în viitor."),
                           code="invalid_date", fields={"signed_on": [_("Dată în viitor.")]})
    if not add and not remove:
        raise InvalidInput(_("Amendamentul trebuie să adauge sau să excludă cel puțin o "
                             "instituție."), code="empty_amendment")
    both = sorted(set(add) & set(remove))
    if both:
        raise InvalidInput(_("Aceeași instituție nu poate fi adăugată și exclusă: %(idnos)s.")
                           % {"idnos": ", ".join(both)}, code="conflicting_change",
                           fields={"add_idnos": both})
    return signed_on


def hub_amend(*, hub: Tenant, number: str, signed_on: date | None, add_idnos: Iterable[str],
              remove_idnos: Iterable[str], note: str = "",
              actor: User | None) -> HubAmendment:
    """Record an amendment to the hub's agreement: close the memberships of the institutions
    it removes and open memberships for those it adds. At least two members remain."""
    add, remove = _clean_idnos(add_idnos), _clean_idnos(remove_idnos)
    try:
        day = _check_amendment(hub=hub, number=number, signed_on=signed_on, add=add, remove=remove)
        with transaction.atomic():
            agreement = HubAgreement.objects.select_for_update().filter(hub=hub).first()
            if agreement is None:
                raise Conflict(_("Hubul nu are un acord interinstituțional înregistrat."),
                               code="hub_agreement_missing")
            if agreement.amendments.filter(number=number.strip()).exists():
                raise Conflict(_("Amendamentul nr. %(number)s este deja înregistrat.")
                               % {"number": number.strip()}, code="amendment_number_taken",
                               fields={"number": [_("Număr deja folosit.")]})
            known = {i.idno: i for i in Institution.objects.filter(idno__in=add + remove)}
            unknown = [idno for idno in add + remove if idno not in known]
            if unknown:
                raise InvalidInput(
                    _("Instituții necunoscute în registru: %(idnos)s.")
                    % {"idnos": ", ".join(unknown)}, code="unknown_institution",
                    fields={"add_idnos" if unknown[0] in add else "remove_idnos": unknown})
            current = {m.institution.idno: m for m in HubMembership.objects.select_for_update()
                       .filter(hub=hub, left_at__isnull=True).select_related("institution")}
            not_members = [idno for idno in remove if idno not in current]
            if not_members:
                raise Conflict(_("Nu sunt membri ai hubului: %(idnos)s.")
                               % {"idnos": ", ".join(not_members)}, code="not_a_member",
                               fields={"remove_idnos": not_members})
            already = [idno for idno in add if idno in current]
            if already:
                raise Conflict(_("Sunt deja membri ai hubului: %(idnos)s.")
                               % {"idnos": ", ".join(already)}, code="already_member",
                               fields={"add_idnos": already})
            remaining = len(current) - len(remove) + len(add)
            if remaining < MIN_HUB_MEMBERS:
                raise Conflict(_("Un hub trebuie să aibă cel puțin %(minimum)d instituții "
                                 "membre; după amendament ar rămâne %(left)d.")
                               % {"minimum": MIN_HUB_MEMBERS, "left": remaining},
                               code="hub_too_few_members")
            amendment = HubAmendment.objects.create(
                agreement=agreement, number=number.strip(), signed_on=day,
                note=note.strip(), recorded_by=actor)
            now = timezone.now()
            HubMembership.objects.filter(pk__in=[current[idno].pk for idno in remove]).update(
                left_at=now, left_by=amendment)
            HubMembership.objects.bulk_create(
                [HubMembership(hub=hub, institution=known[idno], joined_by=amendment)
                 for idno in add])
            audit_record(action="hub.amend", tenant=None, actor=actor, object_type="tenant",
                         object_id=hub.pk,
                         details={"number": amendment.number,
                                  "signed_on": day.isoformat(), "added": add,
                                  "removed": remove, "members": remaining})
    except ApplicationError as error:
        audit_record(action="hub.amend", outcome=AuditEvent.Outcome.FAILURE, tenant=None,
                     actor=actor, object_type="tenant", object_id=hub.pk,
                     details={"code": error.code, "number": number, "added": add,
                              "removed": remove})
        raise
    return amendment


def hub_agreement_get(hub: Tenant) -> HubAgreement | None:
    return HubAgreement.objects.select_related("coordinator").filter(hub=hub).first()


def hub_members_current(hub: Tenant) -> QuerySet[HubMembership]:
    """The institutions the hub serves now."""
    return (HubMembership.objects.filter(hub=hub, left_at__isnull=True)
            .select_related("institution", "joined_by").order_by("institution__name", "pk"))


def hub_member_history(hub: Tenant) -> QuerySet[HubMembership]:
    """Every membership the hub ever had, current ones included, oldest first."""
    return (HubMembership.objects.filter(hub=hub)
            .select_related("institution", "joined_by", "left_by")
            .order_by("joined_at", "pk"))


def hub_amendments(hub: Tenant) -> QuerySet[HubAmendment]:
    return (HubAmendment.objects.filter(agreement__hub=hub)
            .select_related("recorded_by").order_by("signed_on", "pk"))
