"""A statement as a document: PDF (WeasyPrint, Romanian, DejaVu Sans for the diacritics) and
CSV (one row per line, then the allocations)."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from sgsc.billing.statements.calculation import UNITS
from sgsc.billing.statements.models import Statement
from sgsc.billing.tariffs.models import TariffComponent
from sgsc.provisioning.contracts.pdf import age_party

# WeasyPrint reports every layout step at INFO; only its warnings belong in the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

COMPONENT_LABELS = dict(TariffComponent.Kind.choices)


def statement_context(*, statement: Statement) -> dict[str, Any]:
    lines = list(statement.lines.select_related("version__schedule"))
    for line in lines:
        line.label = COMPONENT_LABELS.get(line.component, line.component)  # type: ignore[attr-defined]
    return {"statement": statement, "lines": lines, "age": age_party(),
            "allocations": list(statement.allocations.select_related("institution")),
            "institution": statement.contract.institution, "units": UNITS}


def statement_pdf_bytes(*, statement: Statement) -> bytes:
    # Imported here: loading pango takes a moment and only this path needs it.
    from weasyprint import HTML

    with translation.override("ro"):  # the document is Romanian whatever the reader's language
        html = render_to_string("statements/document.html",
                                statement_context(statement=statement))
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf


def statement_csv_header() -> list[Any]:
    return [_("Număr"), _("Luna"), _("Prestator"), _("Stare"), _("Valoare fără TVA"), _("TVA"),
            _("Total")]


def statement_csv_rows(*, statement: Statement) -> list[list[Any]]:
    """The rows under ``statement_csv_header``: the totals, then one row per line, then the
    allocations (each part after an empty row and its own header)."""
    rows: list[list[Any]] = [
        [statement.number, statement.month.strftime("%Y-%m"), statement.tenant.name,
         statement.get_status_display(), statement.net_amount, statement.vat_amount,
         statement.total],
        [],
        [_("Componenta"), _("Versiunea grilei"), _("De la"), _("Până la"), _("Cantitate"),
         _("Unitate"), _("Preț unitar"), _("Coeficient hub"), _("Valoare"), _("TVA"),
         _("Total"), _("Înregistrări de utilizare")],
    ]
    rows += [[COMPONENT_LABELS.get(line.component, line.component), str(line.version),
              line.period_start, line.period_end, line.quantity, line.unit, line.unit_price,
              line.hub_multiplier, line.amount, line.vat_amount, line.total,
              " ".join(str(pk) for pk in line.usage_record_ids)]
             for line in statement.lines.select_related("version__schedule")]
    allocations = list(statement.allocations.select_related("institution"))
    if allocations:
        rows += [[], [_("Instituția"), "IDNO", _("Pondere"), _("Suma")]]
        rows += [[share.institution.name, share.institution.idno, share.weight, share.amount]
                 for share in allocations]
    return rows
