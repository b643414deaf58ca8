"""The daily e-mail to AGE staff about onboarding deadlines (review and hand-over)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import EmailMessage, get_connection
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sgsc.provisioning.onboarding.selectors import (
    DeadlineDigest,
    DeadlineRow,
    deadline_digest,
)
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import PlatformRole
from sgsc.shared_apps.workdays.selectors import AT_RISK_WORKING_DAYS

logger = logging.getLogger(__name__)

ALERT_ROLES = (PlatformRole.AGE_ADMIN, PlatformRole.AGE_ONBOARDING_OFFICER)


def alert_recipients() -> list[str]:
    return list(User.objects.filter(is_active=True,
                                    platform_roles__overlap=[r.value for r in ALERT_ROLES])
                .order_by("email").values_list("email", flat=True))


def _line(row: DeadlineRow) -> str:
    day = formats.date_format(timezone.localtime(row.deadline), "d.m.Y")
    if row.days_left < 0:
        when = _("întârziere de %(days)d zile lucrătoare") % {"days": -row.days_left}
    elif row.days_left == 0:
        when = _("expiră astăzi")
    else:
        when = _("%(days)d zile lucrătoare rămase") % {"days": row.days_left}
    label = _("termen")
    return f"  - {row.number}, {row.institution}: {label} {day} ({when})"


def deadline_alert_text(digest: DeadlineDigest) -> tuple[str, str]:
    """Subject and body (Romanian) of the summary."""
    with translation.override("ro"):
        sections: list[tuple[str, list[DeadlineRow]]] = [
            (_("Cereri de conectare cu termenul de examinare depășit"), digest.reviews_missed),
            (_("Cereri de conectare cu termenul de examinare în cel mult %(days)d zile "
               "lucrătoare") % {"days": AT_RISK_WORKING_DAYS}, digest.reviews_due),
            (_("Contracte cu termenul de predare a accesului depășit"), digest.handovers_missed),
            (_("Contracte cu termenul de predare a accesului în cel mult %(days)d zile "
               "lucrătoare") % {"days": AT_RISK_WORKING_DAYS}, digest.handovers_due),
        ]
        missed = len(digest.reviews_missed) + len(digest.handovers_missed)
        due = len(digest.reviews_due) + len(digest.handovers_due)
        subject = _("SGSC: termene de conectare — %(missed)d depășite, %(due)d aproape de "
                    "expirare") % {"missed": missed, "due": due}
        parts = [_("Situația termenelor de conectare la SI SGSC (în zile lucrătoare):")]
        for title, rows in sections:
            if rows:
                parts.append(f"\n{title}:\n" + "\n".join(_line(row) for row in rows))
        parts.append("\n" + _("Mesaj generat automat în fiecare zi la ora 07:00."))
    return subject, "\n".join(parts)


def deadline_alerts_send(*, now: datetime | None = None) -> int:
    """E-mail the summary to each AGE admin and onboarding officer; nothing when there is
    nothing to say. Returns the number of messages sent."""
    digest = deadline_digest(now=now)
    if digest.is_empty:
        return 0
    recipients = alert_recipients()
    if not recipients:
        logger.warning("onboarding deadlines to report but no AGE staff to tell")
        return 0
    subject, body = deadline_alert_text(digest)
    # One message per person: colleagues' addresses are not shown to each other.
    messages = [EmailMessage(subject, body, None, [email]) for email in recipients]
    sent = get_connection().send_messages(messages) or 0
    audit_record(action="onboarding.deadline_alerts", tenant=None, object_type="digest",
                 details={"recipients": len(recipients),
                          "reviews_due": len(digest.reviews_due),
                          "reviews_missed": len(digest.reviews_missed),
                          "handovers_due": len(digest.handovers_due),
                          "handovers_missed": len(digest.handovers_missed)})
    return sent
