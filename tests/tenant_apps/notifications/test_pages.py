"""The notifications page and API: the person's own notices only, unread first, marked read one
by one or all at once; refused to whoever does not work tickets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.notifications.models import Notification
from tests.conftest import Tenants

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Chisinau"))
SignedIn = Callable[..., tuple[Client, User]]


def give(tenants: Tenants, user: User, count: int, *, read: bool = False,
         label: str = "Notificarea", start: datetime = T0) -> list[Notification]:
    """``count`` notices for ``user`` in prov-a, one a minute from ``start`` (the last is
    newest)."""
    with schema_context(tenants.prov_a.schema_name):
        return [Notification.objects.create(
            recipient=user, kind=Notification.Kind.ASSIGNED, title=f"{label} {index}",
            created_at=start + timedelta(minutes=index), read_at=T0 if read else None)
            for index in range(count)]


def read_at(tenants: Tenants, notice: Notification) -> datetime | None:
    with schema_context(tenants.prov_a.schema_name):
        return Notification.objects.get(pk=notice.pk).read_at


def test_the_page_shows_unread_first_and_paginates(signed_in: SignedIn,
                                                   tenants: Tenants) -> None:
    client, user = signed_in("l1_operator", tenants.prov_a)
    _other_client, other = signed_in("l1_operator", tenants.prov_a)
    give(tenants, other, 1)
    give(tenants, user, 25)  # a whole page
    give(tenants, user, 1, read=True, label="Citită", start=T0 + timedelta(days=1))
    page = client.get("/notificari/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "25 notificări necitite." in html
    assert html.index("Notificarea 24") < html.index("Notificarea 0")  # newest first
    assert "Citită 0" not in html  # the newest, but read: it waits on page 2
    assert 'href="/notificari/"' in html  # the menu names the page
    second = client.get("/notificari/?pagina=2").content.decode()
    assert "Citită 0" in second and "citită la 01.03.2027 09:00" in second


def test_marking_one_and_all_read_on_the_page(signed_in: SignedIn, tenants: Tenants) -> None:
    client, user = signed_in("l1_operator", tenants.prov_a)
    _other_client, other = signed_in("supervisor", tenants.prov_a)
    first, second = give(tenants, user, 2)
    [theirs] = give(tenants, other, 1)
    answer = client.post(f"/notificari/{first.pk}/citita/", {"pagina": "1"})
    assert (answer.status_code, answer["Location"]) == (302, "/notificari/?pagina=1")
    assert read_at(tenants, first) is not None and read_at(tenants, second) is None
    assert client.post(f"/notificari/{theirs.pk}/citita/").status_code == 404
    assert read_at(tenants, theirs) is None
    answer = client.post("/notificari/citite/", {"pagina": "<script>"}, follow=True)
    assert "1 notificare marcată ca citită." in answer.content.decode()
    assert answer.redirect_chain == [("/notificari/", 302)]
    assert read_at(tenants, second) is not None and read_at(tenants, theirs) is None


def test_who_does_not_work_tickets_has_no_notifications_page(signed_in: SignedIn,
                                                             tenants: Tenants) -> None:
    client, _user = signed_in("auditor", tenants.prov_a)
    assert client.get("/notificari/").status_code == 403
    assert client.get("/api/v1/notifications/").status_code == 403


def test_the_api_lists_reads_and_marks(signed_in: SignedIn, tenants: Tenants,
                                       assert_max_queries: Callable[[int], Any]) -> None:
    client, user = signed_in("l2_specialist", tenants.prov_a)
    _other_client, other = signed_in("l1_operator", tenants.prov_a)
    [theirs] = give(tenants, other, 1)
    give(tenants, user, 3, read=True, label="Citită")
    newest = give(tenants, user, 2)[-1]
    with assert_max_queries(12):
        listed = client.get("/api/v1/notifications/").json()
    assert [row["title"] for row in listed["results"]][:2] == ["Notificarea 1", "Notificarea 0"]
    assert len(listed["results"]) == 5
    assert listed["results"][0] == {
        "id": newest.pk, "kind": "assigned", "kind_label": "Solicitare repartizată",
        "ticket": None, "ticket_number": None, "title": "Notificarea 1", "body": "",
        "created_at": "2027-03-01T09:01:00+02:00", "read_at": None}
    unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [row["id"] for row in unread] == [newest.pk, newest.pk - 1]

    answer = client.post(f"/api/v1/notifications/{newest.pk}/read/")
    assert answer.status_code == 200 and answer.json()["read_at"] is not None
    refused = client.post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "notification_not_found"
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert read_at(tenants, theirs) is None
