"""How the console and the provider's page show figures: money to the ban, usage totals in
their own units, the sources of usage records in words, the what-if of a pending version."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import translation

from sgsc.billing.statements.models import Statement
from sgsc.billing.statements.selectors import console_trend
from sgsc.billing.statements.services import statement_generate, statement_issue
from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.billing.usage.models import Metric
from sgsc.billing.usage.templatetags.usage_format import usage_source
from tests.billing.statements.helpers import (
    MARCH,
    fill_month,
    make_contract,
    make_schedule,
    record,
)
from tests.billing.tariffs.helpers import PRICES, make_version

SEATS = {"memberships": [1, 4, 7], "limited": {"7": [12, 13]}}
STORAGE = {"schema": "t_prov_a", "bytes": 13_002_342, "tables": 57, "unit": "GiB (2^30 B)"}


@pytest.fixture
def issued(tenants) -> Statement:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    fill_month(tenants.prov_a, seat_source=SEATS)
    return statement_issue(statement=statement_generate(contract=contract, month=MARCH,
                                                        actor=None), actor=None)


def test_months_without_statements_are_amounts_to_the_ban(issued) -> None:  # type: ignore[no-untyped-def]
    trend = dict(console_trend(until=MARCH, months=3))
    assert [str(trend[date(2026, month, 1)]) for month in (1, 2, 3)] == ["0.00", "0.00",
                                                                         "2212.00"]


def test_usage_totals_are_seat_days_on_every_page(signed_in, tenants, issued) -> None:  # type: ignore[no-untyped-def]
    reviewer, _user = signed_in("chancellery_reviewer")
    console = reviewer.get("/cancelarie/utilizare/?luna=2026-03").content.decode()
    # 2 seats on each of March's 31 days: 62 seat-days, not 62 seats.
    assert "Locuri de operator (loc-zile)" in console and "62,00" in console
    assert "Stocare (GB-zile)" in console
    assert "Locuri de operator active" not in console
    export = reviewer.get("/cancelarie/utilizare/?luna=2026-03&format=csv").content
    header = next(csv.reader(io.StringIO(export.decode("utf-8-sig")), delimiter=";"))
    assert "Locuri de operator (loc-zile)" in header
    empty = reviewer.get("/cancelarie/utilizare/?luna=2025-12").content.decode()
    assert "0,00 MDL" in empty  # the month's total, to the ban
    admin, _user = signed_in("tenant_admin", tenants.prov_a)
    own = admin.get("/facturare/?luna=2026-03").content.decode()
    assert "Locuri de operator (loc-zile)" in own and "62,00" in own


def test_drill_down_shows_sources_in_words(signed_in, tenants, issued) -> None:  # type: ignore[no-untyped-def]
    record(tenants.prov_a, date(2026, 3, 31), Metric.CALL_MINUTES, 5, source=STORAGE)
    client, _user = signed_in("chancellery_reviewer")
    page = client.get("/cancelarie/utilizare/prov-a/?luna=2026-03&indicator=seats")
    text = page.content.decode()
    assert "membri: 1, 4, 7 · acces limitat (membru → instituții): 7 → 12, 13" in text
    assert "{&#x27;memberships&#x27;" not in text and "{'memberships'" not in text
    minutes = client.get("/cancelarie/utilizare/prov-a/?luna=2026-03&indicator=call_minutes")
    # Django's Romanian size units ("MO"), as on the request documents' page.
    assert "schema t_prov_a: 12,4\xa0MO (57 tabele)" in minutes.content.decode()


def test_source_text_for_every_kind_of_record() -> None:
    with translation.override("ro"):
        assert usage_source({"previous": "3.000000", "corrected": "2"}) == \
            "corectat de la 3 la 2"
        assert usage_source({"previous": "60.000000", "corrected": "2.5"}) == \
            "corectat de la 60 la 2,5"
        assert usage_source({"by_institution": {"12": 5, "13": 7}}) == \
            "pe instituții: 12: 5, 13: 7"
        assert usage_source({"memberships": []}) == "membri: —"
        assert usage_source({}) == "—"
        assert usage_source({"meter": "v2", "ids": [3, 4]}) == "ids: 3, 4 · meter: v2"
        assert usage_source({"seconds": 401, "calls": [9, 12], "rule": "talk time",
                             "seconds_by_institution": {"4": 401}}) == (
            "apeluri: 9, 12 · durata convorbirilor: 401 s · secunde pe instituții: 4: 401")
        assert usage_source({"tickets": [5], "rule": "resolved"}) == "solicitări: 5"


def test_what_if_applies_a_version_awaiting_approval(signed_in, issued) -> None:  # type: ignore[no-untyped-def]
    pending = make_version(schedule=issued.contract.tariff_schedule,
                           status=TariffScheduleVersion.Status.SUBMITTED,
                           effective_from=date(2030, 1, 1),
                           prices={**PRICES, "subscription": "1600.0000"})
    client, _user = signed_in("chancellery_reviewer")
    form = client.get("/cancelarie/utilizare/prov-a/simulare/").content.decode()
    assert f"{pending} · Transmisă spre aprobare" in form
    page = client.get(f"/cancelarie/utilizare/prov-a/simulare/?month=2026-03"
                      f"&version={pending.pk}")
    assert page.status_code == 200 and "2\u00a0312,00" in page.content.decode()  # +100
    draft = make_version(schedule=issued.contract.tariff_schedule,
                         status=TariffScheduleVersion.Status.DRAFT,
                         effective_from=date(2031, 1, 1))
    refused = client.get(f"/cancelarie/utilizare/prov-a/simulare/?month=2026-03"
                         f"&version={draft.pk}")
    assert refused.status_code == 400  # a draft is AGE's own business


def test_pages_name_their_icon(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("chancellery_reviewer")
    page = client.get("/cancelarie/utilizare/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/sgsc/favicon.svg">' in page
