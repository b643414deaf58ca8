"""The ``call_minutes`` meter: the talk time of the calls that ended during the day.

Talk time is what the PBX reports from answer to hang-up (Asterisk's ``billsec``), in and out,
summed in seconds and shown in minutes to the hundredth; ringing and waiting in the queue are
not billed. A call counts on the day it ended, once, so a day can be metered again with the
same result. The source keeps the calls and their seconds and, in a hub, the seconds per
institution (from the line the call came in on).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sgsc.billing.usage.meters import Reading, day_bounds
from sgsc.tenant_apps.telephony.models import Call
from sgsc.tenants.models import Tenant

MINUTE_PLACES = Decimal("0.01")


def meter_call_minutes(tenant: Tenant, day: date) -> Reading:
    start, end = day_bounds(day)
    rows = list(Call.objects.filter(ended_at__gte=start, ended_at__lt=end, talk_seconds__gt=0)
                .order_by("pk").values_list("pk", "talk_seconds", "institution_id"))
    seconds = sum(talk for _pk, talk, _institution in rows)
    minutes = (Decimal(seconds) / 60).quantize(MINUTE_PLACES, rounding=ROUND_HALF_UP)
    source: dict[str, object] = {"calls": [pk for pk, _talk, _institution in rows],
                                 "seconds": seconds,
                                 "rule": "talk time of calls ended during the day"}
    if tenant.kind == Tenant.Kind.HUB:
        per_institution: Counter[int] = Counter()
        for _pk, talk, institution in rows:
            if institution is not None:
                per_institution[institution] += talk
        source["seconds_by_institution"] = {str(institution): total for institution, total
                                            in sorted(per_institution.items())}
    return Reading(quantity=minutes, source=source)
