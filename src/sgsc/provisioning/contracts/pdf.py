"""The contract as a document: its template version rendered with the contract's data, then
printed to PDF by WeasyPrint (Romanian text, DejaVu Sans for the diacritics)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.billing.tariffs.selectors import tariff_version_effective
from sgsc.platform.errors import NotFound
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.services import HANDOVER_WORKING_DAYS
from sgsc.provisioning.requests.models import Channel, ConnectionRequest
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant

# WeasyPrint reports every layout step at INFO; only its warnings belong in the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Party:
    name: str
    idno: str
    address: str


@dataclass(frozen=True)
class SignatureView:
    signer_name: str
    signer_position: str
    signed_at: datetime | None


# Used when the platform row is not linked to AGE's entry in the institutions registry.
_AGE_DEFAULT = Party(name="Instituția Publică „Agenția de Guvernare Electronică”", idno="",
                     address="mun. Chișinău, Piața Marii Adunări Naționale nr. 1")


def age_party() -> Party:
    platform = (Tenant.objects.filter(kind=Tenant.Kind.PLATFORM)
                .select_related("institution").first())
    institution = platform.institution if platform is not None else None
    if institution is None:
        return _AGE_DEFAULT
    return Party(name=institution.name, idno=institution.idno,
                 address=institution.address or _AGE_DEFAULT.address)


def contract_tariff_version(*, contract: Contract,
                            on: date | None) -> TariffScheduleVersion | None:
    """The approved version of the contract's schedule in force on ``on`` (today when the
    date is not known yet), or None."""
    try:
        return tariff_version_effective(schedule=contract.tariff_schedule,
                                        on=on or local_date(timezone.now()))
    except NotFound:
        return None


def contract_context(*, contract: Contract, signers: dict[str, str] | None = None,
                     signed_at: datetime | None = None) -> dict[str, Any]:
    """What a template body can use: contract, age, provider, request, template, services,
    channels (labels), hub (or None), tenant_host, handover_days, signatures (age/provider),
    tariff (the approved tariff version in force on the effective date, or None).

    ``signers`` and ``signed_at`` stand in for signatures not stored yet (the document that
    is being signed)."""
    request: ConnectionRequest = contract.request
    institution = contract.institution
    hub = None
    if request.mode == ConnectionRequest.Mode.HUB:
        coordinator = request.coordinator or institution
        hub = {"coordinator": coordinator, "members": list(request.members.order_by("name")),
               "agreement_number": request.agreement_number,
               "agreement_date": request.agreement_date}
    signatures: dict[str, SignatureView] = {}
    if signers is not None:
        for party in ("age", "provider"):
            signatures[party] = SignatureView(signer_name=signers[f"{party}_signer_name"],
                                              signer_position=signers[f"{party}_signer_position"],
                                              signed_at=signed_at)
    else:
        for signature in contract.signatures.all():
            signatures[signature.party] = SignatureView(
                signer_name=signature.signer_name, signer_position=signature.signer_position,
                signed_at=signature.signed_at)
    labels = dict(Channel.choices)
    view = _ContractView(contract, signed_at)
    return {
        "contract": view,
        "tariff": contract_tariff_version(contract=contract, on=view.effective_date),
        "template": contract.template,
        "request": request,
        "age": age_party(),
        "provider": Party(name=institution.name, idno=institution.idno,
                          address=institution.address),
        "services": list(contract.services),
        "channels": [str(labels.get(code, code)) for code in contract.channels],
        "hub": hub,
        "tenant_host": f"{contract.tenant_slug}.{settings.BASE_DOMAIN}",
        "handover_days": HANDOVER_WORKING_DAYS,
        "signatures": signatures,
    }


class _ContractView:
    """The contract as the template sees it; ``signed_at`` may be the moment being signed."""

    def __init__(self, contract: Contract, signed_at: datetime | None) -> None:
        self._contract = contract
        self.signed_at = signed_at or contract.signed_at
        effective = contract.effective_date
        if effective is None and self.signed_at is not None:
            effective = local_date(self.signed_at)
        self.effective_date = effective

    def __getattr__(self, name: str) -> Any:
        return getattr(self._contract, name)


def contract_body_html(*, contract: Contract, signers: dict[str, str] | None = None,
                       signed_at: datetime | None = None) -> str:
    """The template version's body rendered for this contract (auto-escaped values)."""
    body = engines["django"].from_string(contract.template.body)
    return body.render(contract_context(contract=contract, signers=signers,
                                        signed_at=signed_at))


def contract_document_html(*, contract: Contract, signers: dict[str, str] | None = None,
                           signed_at: datetime | None = None) -> str:
    context = contract_context(contract=contract, signers=signers, signed_at=signed_at)
    body = engines["django"].from_string(contract.template.body).render(context)
    return render_to_string("contracts/document.html", {
        "contract": contract, "body": mark_safe(body),  # noqa: S308 (AGE's template, escaped values)
        "tariff": context["tariff"], "effective_date": context["contract"].effective_date,
        "draft": contract.status == Contract.Status.DRAFT and signers is None,
    })


def contract_pdf_bytes(*, contract: Contract, signers: dict[str, str] | None = None,
                       signed_at: datetime | None = None) -> bytes:
    # Imported here: loading pango takes a moment and only this path needs it.
    from weasyprint import HTML

    html = contract_document_html(contract=contract, signers=signers, signed_at=signed_at)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf
