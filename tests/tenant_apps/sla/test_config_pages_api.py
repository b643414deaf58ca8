"""The clock and SLA configuration pages and API."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.tenant_apps.catalog.models import Priority
from sgsc.tenant_apps.sla.models import BusinessPeriod, ClockSettings, LocalClosedDay, SlaPolicy

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_policies_page_shows_and_takes_hours_and_minutes(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    assert "Nicio politică" in client.get("/configurare/politici-sla/").content.decode()
    with schema_context(tenants.prov_a.schema_name):
        p1 = Priority.objects.get(code="p1").pk
    form = {"priority": p1, "first_response_minutes": "0:30", "resolution_minutes": "8"}
    assert client.post("/configurare/politici-sla/nou/", form).status_code == 302
    page = client.get("/configurare/politici-sla/").content.decode()
    assert "0:30" in page and "8:00" in page and "toate serviciile" in page
    with schema_context(tenants.prov_a.schema_name):
        policy = SlaPolicy.objects.get()
    assert (policy.first_response_minutes, policy.resolution_minutes) == (30, 480)
    assert 'value="0:30"' in client.get(f"/configurare/politici-sla/{policy.pk}/"
                                        ).content.decode()
    again = client.post("/configurare/politici-sla/nou/", form)
    assert again.status_code == 400 and "Există deja o politică" in again.content.decode()
    typo = client.post("/configurare/politici-sla/nou/", {**form, "resolution_minutes": "8h"})
    assert typo.status_code == 400 and "Scrieți ore:minute" in typo.content.decode()


def test_business_hours_page(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    page = client.get("/configurare/program/").content.decode()
    assert 'value="08:00"' in page and 'value="13:00"' in page  # the default week
    assert "termenelor calculate de acum înainte" in page
    week = {"warning_percent": "70"}
    for day in range(5):
        week |= {f"d{day}_0_start": "09:00", f"d{day}_0_end": "13:00",
                 f"d{day}_1_start": "14:00", f"d{day}_1_end": "18:00"}
    assert client.post("/configurare/program/", week).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        assert BusinessPeriod.objects.filter(weekday=4).count() == 2
        assert ClockSettings.objects.get().warning_percent == 70
    overlap = client.post("/configurare/program/", {**week, "d1_1_start": "12:00"})
    assert overlap.status_code == 400 and "se suprapun" in overlap.content.decode()
    half = client.post("/configurare/program/", {**week, "d6_0_start": "10:00"})
    assert half.status_code == 400 and "Completați ambele ore" in half.content.decode()
    operator, _ = signed_in("l1_operator", tenants.prov_a)
    assert operator.post("/configurare/program/", week).status_code == 403


def test_closed_days_page_lists_the_national_calendar(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    page = client.get("/configurare/zile-nelucratoare/?an=2026").content.decode()
    assert "Calendarul național 2026" in page and "01.01.2026" in page
    day = timezone.localdate() + timedelta(days=7)
    assert client.post("/configurare/zile-nelucratoare/nou/", {
        "day": day.isoformat(), "reason": "Ziua instituției"}).status_code == 302
    assert day.strftime("%d.%m.%Y") in client.get("/configurare/zile-nelucratoare/"
                                                  ).content.decode()
    past = client.post("/configurare/zile-nelucratoare/nou/", {
        "day": "2020-01-06", "reason": "Trecut"})
    assert past.status_code == 400 and "O zi trecută" in past.content.decode()
    with schema_context(tenants.prov_a.schema_name):
        closed = LocalClosedDay.objects.get()
    assert client.post(f"/configurare/zile-nelucratoare/{closed.pk}/stergere/"
                       ).status_code == 302


def test_clock_and_policies_over_the_api(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    reader, _ = signed_in("l1_operator", tenants.prov_a)
    hours = reader.get("/api/v1/config/business-hours/").json()
    assert hours["always_open"] is False and hours["warning_percent"] == 75
    assert hours["periods"][0] == {"weekday": 0, "start": "08:00", "end": "12:00"}
    body = {"always_open": False, "warning_percent": 80,
            "periods": [{"weekday": 5, "start": "09:00", "end": "13:00"}]}
    assert reader.put("/api/v1/config/business-hours/", body,
                      content_type=JSON).status_code == 403
    saved = client.put("/api/v1/config/business-hours/", body, content_type=JSON)
    assert saved.status_code == 200 and saved.json()["periods"] == body["periods"]
    with schema_context(tenants.prov_a.schema_name):
        assert list(BusinessPeriod.objects.values_list("weekday", "start")) == [(5, time(9))]
    bad = client.put("/api/v1/config/business-hours/", {
        **body, "periods": [{"weekday": 7, "start": "09:00", "end": "13:00"}]},
        content_type=JSON)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_business_hours"
    with schema_context(tenants.prov_a.schema_name):
        p3 = Priority.objects.get(code="p3").pk
    policy = {"priority": p3, "first_response_minutes": 60, "resolution_minutes": 960}
    created = client.post("/api/v1/config/sla-policies/", policy, content_type=JSON)
    assert created.status_code == 201 and created.json()["service"] is None
    duplicate = client.post("/api/v1/config/sla-policies/", policy, content_type=JSON)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_policy"
    changed = client.patch(f"/api/v1/config/sla-policies/{created.json()['id']}/",
                           {"resolution_minutes": 1200}, content_type=JSON)
    assert changed.json()["first_response_minutes"] == 60
    assert reader.get("/api/v1/config/sla-policies/").json()["results"][0][
        "resolution_minutes"] == 1200
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    closed = client.post("/api/v1/config/closed-days/", {"day": day, "reason": "Inventar"},
                         content_type=JSON)
    assert closed.status_code == 201 and closed.json()["day"] == day
