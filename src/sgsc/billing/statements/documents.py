"""A statement as a document: PDF (WeasyPrint, Romanian, DejaVu Sans for the diacritics) and
CSV (one row per line, then the allocations)."""

from __future__ import annotations

import csv
import io
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


def statement_csv_text(*, statement: Statement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Număr"), _("Luna"), _("Prestator"), _("Stare"), _("Valoare fără TVA"),
                     _("TVA"), _("Total")])
    writer.writerow([statement.number, statement.month.strftime("%Y-%m"), statement.tenant.name,
                     statement.get_status_display(), statement.net_amount, statement.vat_amount,
                     statement.total])
    writer.writerow([])
    writer.writerow([_("Componenta"), _("Versiunea grilei"), _("De la"), _("Până la"),
                     _("Cantitate"), _("Unitate"), _("Preț unitar"), _("Coeficient hub"),
                     _("Valoare"), _("TVA"), _("Total"), _("Înregistrări de utilizare")])
    for line in statement.lines.select_related("version__schedule"):
        writer.writerow([COMPONENT_LABELS.get(line.component, line.component), str(line.version),
                         line.period_start, line.period_end, line.quantity, line.unit,
                         line.unit_price, line.hub_multiplier, line.amount, line.vat_amount,
                         line.total, " ".join(str(pk) for pk in line.usage_record_ids)])
    allocations = list(statement.allocations.select_related("institution"))
    if allocations:
        writer.writerow([])
        writer.writerow([_("Instituția"), "IDNO", _("Pondere"), _("Suma")])
        for share in allocations:
            writer.writerow([share.institution.name, share.institution.idno, share.weight,
                             share.amount])
    return out.getvalue()
