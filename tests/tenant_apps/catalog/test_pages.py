"""The configuration pages: lists, forms, confirmations, and who may open them."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenant_apps.catalog import services as config
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    PriorityRule,
    Queue,
    RoutingRule,
    Service,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.tickets.models import TicketSettings
from tests.factories import InstitutionFactory
from tests.tenant_apps.catalog.conftest import last_event

pytestmark = pytest.mark.django_db


def test_admin_adds_a_service_and_finds_it(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = admin
    home = client.get("/configurare/").content.decode()
    assert "Catalogul serviciilor" in home and 'href="/configurare/"' in home  # the menu
    empty = client.get("/configurare/servicii/")
    assert "Catalogul nu are încă servicii." in empty.content.decode()
    response = client.post("/configurare/servicii/nou/", {
        "code": "CERT-01", "name": "Certificat de cazier", "resolution_hours": "40",
        "is_active": "on"})
    assert response.status_code == 302, response.content.decode()
    with schema_context(tenants.prov_a.schema_name):
        service = Service.objects.get(code="CERT-01")
    assert service.resolution_hours == 40
    assert "CERT-01" in client.get("/configurare/servicii/?q=cazier").content.decode()
    assert "Nicio înregistrare" in client.get("/configurare/servicii/?q=pasaport").content.decode()
    table = client.get("/configurare/servicii/?q=cazier", HTTP_HX_REQUEST="true")
    assert "<h1>" not in table.content.decode() and "CERT-01" in table.content.decode()
    event = last_event("config.service.create")
    assert event.actor == user and event.details["values"]["code"] == "CERT-01"
    assert "1 serviciu activ" in client.get("/configurare/").content.decode()


def test_operators_cannot_open_the_configuration(operator) -> None:  # type: ignore[no-untyped-def]
    client, _ = operator
    assert 'href="/configurare/"' not in client.get("/profil/").content.decode()
    for url in ("/configurare/", "/configurare/servicii/", "/configurare/program/",
                "/configurare/prioritati/matrice/", "/configurare/tichete/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/configurare/servicii/nou/", {"code": "X", "name": "X"}
                       ).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied",
                                     object_id="/configurare/servicii/nou/").exists()


def test_a_refused_form_shows_the_reason_and_stores_nothing(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    client.post("/configurare/servicii/nou/", {"code": "A1", "name": "Primul", "is_active": "on"})
    response = client.post("/configurare/servicii/nou/", {"code": "a1", "name": "Al doilea"})
    assert response.status_code == 400
    assert "Codul „a1” este deja folosit." in response.content.decode()
    assert last_event("config.service.create").outcome == AuditEvent.Outcome.FAILURE
    with schema_context(tenants.prov_a.schema_name):
        assert Service.objects.count() == 1


def test_edit_deactivate_and_delete_with_confirmation(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = admin
    with schema_context(tenants.prov_a.schema_name):
        used = config.service_save(actor=user, data=config.ServiceInput(code="S1", name="Unu"))
        spare = config.service_save(actor=user, data=config.ServiceInput(code="S2", name="Doi"))
        team = config.team_save(actor=user, data=config.TeamInput(name="Linia 1"))
        queue = config.queue_save(actor=user, data=config.QueueInput(name="Q", team=team.pk))
        config.routing_rule_save(actor=user, data=config.RoutingRuleInput(
            name="R", service=used.pk, queue=queue.pk))
    form = client.get(f"/configurare/servicii/{used.pk}/").content.decode()
    assert 'value="S1"' in form
    assert client.post(f"/configurare/servicii/{used.pk}/", {
        "code": "S1", "name": "Unu redenumit", "is_active": "on"}).status_code == 302
    blocked = client.get(f"/configurare/servicii/{used.pk}/stergere/").content.decode()
    assert "nu poate fi șters" in blocked and "reguli de rutare" in blocked
    refused = client.post(f"/configurare/servicii/{used.pk}/stergere/")
    assert refused.status_code == 409
    question = client.get(f"/configurare/servicii/{used.pk}/activare/").content.decode()
    assert "Dezactivați" in question
    assert client.post(f"/configurare/servicii/{used.pk}/activare/").status_code == 302
    assert "Ștergeți" in client.get(f"/configurare/servicii/{spare.pk}/stergere/"
                                    ).content.decode()
    assert client.post(f"/configurare/servicii/{spare.pk}/stergere/").status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        used.refresh_from_db()
        assert (used.name, used.is_active) == ("Unu redenumit", False)
        assert not Service.objects.filter(pk=spare.pk).exists()
    assert client.get("/configurare/servicii/999999/").status_code == 404


def test_the_list_has_pages(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = admin
    with schema_context(tenants.prov_a.schema_name):
        for number in range(30):
            config.canned_reply_save(actor=user, data=config.CannedReplyInput(
                title=f"Răspuns {number:02d}", body="Bună ziua"))
    first = client.get("/configurare/raspunsuri/").content.decode()
    assert "Pagina 1 din 2" in first and "Răspuns 24" in first and "Răspuns 25" not in first
    assert "Răspuns 29" in client.get("/configurare/raspunsuri/?pagina=2").content.decode()


def test_categories_and_the_cycle_refusal(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    client.post("/configurare/categorii/nou/", {"name": "Acte", "is_active": "on"})
    with schema_context(tenants.prov_a.schema_name):
        root = Category.objects.get()
    client.post("/configurare/categorii/nou/", {"name": "Cazier", "parent": root.pk,
                                                 "is_active": "on"})
    with schema_context(tenants.prov_a.schema_name):
        child = Category.objects.get(name="Cazier")
    assert "Acte / Cazier" in client.get("/configurare/categorii/").content.decode()
    refused = client.post(f"/configurare/categorii/{root.pk}/", {
        "name": "Acte", "parent": child.pk, "is_active": "on"})
    assert refused.status_code == 400
    assert "nu poate fi pusă sub ea însăși" in refused.content.decode()


def test_the_matrix_page(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    page = client.get("/configurare/prioritati/matrice/").content.decode()
    assert 'name="cell_1_1"' in page and "selected" in page
    with schema_context(tenants.prov_a.schema_name):
        p1 = Priority.objects.get(code="p1").pk
    cells = {f"cell_{i}_{u}": p1 for i in (1, 2, 3) for u in (1, 2, 3)}
    incomplete = client.post("/configurare/prioritati/matrice/", {**cells, "cell_2_3": ""})
    assert incomplete.status_code == 400
    assert "Fiecare celulă" in incomplete.content.decode()
    assert client.post("/configurare/prioritati/matrice/", cells).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        assert set(PriorityRule.objects.values_list("priority_id", flat=True)) == {p1}
    added = client.post("/configurare/prioritati/nou/", {"code": "p5", "name": "Minoră",
                                                         "rank": "5"})
    assert added.status_code == 302


def test_teams_queues_and_members(admin, signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    _, operator = signed_in("l1_operator", tenants.prov_a)
    _, auditor = signed_in("auditor", tenants.prov_a)
    assert client.post("/configurare/echipe/nou/", {"name": "Linia 1", "level": "1",
                                                    "is_active": "on"}).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        team = Team.objects.get()
    assert "0 membri" in client.get("/configurare/echipe/").content.decode()
    page = client.get(f"/configurare/echipe/{team.pk}/membri/").content.decode()
    assert operator.email in page and auditor.email not in page
    assert "Echipa nu are încă membri." in page
    forged = client.post(f"/configurare/echipe/{team.pk}/membri/", {"user": auditor.pk})
    assert forged.status_code == 400 and "lucrează tichete" in forged.content.decode()
    assert client.post(f"/configurare/echipe/{team.pk}/membri/", {
        "user": operator.pk}).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        member = TeamMember.objects.get()
    client.post(f"/configurare/echipe/{team.pk}/membri/{member.pk}/tura/", {"in_tura": "1"})
    with schema_context(tenants.prov_a.schema_name):
        member.refresh_from_db()
        assert member.on_shift
    remove = f"/configurare/echipe/{team.pk}/membri/{member.pk}/eliminare/"
    assert "Scoateți" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert client.post("/configurare/cozi/nou/", {"name": "Generală", "team": team.pk,
                                                  "auto_assign": "on",
                                                  "is_active": "on"}).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        assert Queue.objects.get().auto_assign
        assert not TeamMember.objects.exists()


def test_routing_order_and_the_test_box(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = admin
    with schema_context(tenants.prov_a.schema_name):
        team = config.team_save(actor=user, data=config.TeamInput(name="Linia 1"))
        queue = config.queue_save(actor=user, data=config.QueueInput(name="Generală",
                                                                     team=team.pk))
    assert client.post("/configurare/rutare/nou/", {"name": "Restul", "queue": queue.pk,
                                                    "is_active": "on"}).status_code == 302
    assert client.post("/configurare/rutare/nou/", {
        "name": "Cazier prin e-mail", "channel": "email", "keywords": "cazier, certificat",
        "queue": queue.pk, "is_active": "on"}).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        rule = RoutingRule.objects.get(name="Cazier prin e-mail")
    assert rule.keywords == ["cazier", "certificat"]
    page = client.get("/configurare/rutare/").content.decode()
    assert "Testează rutarea" in page and 'name="directie"' in page
    sample = {"test": "1", "channel": "email", "text": "Aș dori un certificat"}
    found = client.get("/configurare/rutare/", sample).content.decode()
    assert "Se aplică regula nr. 1 „Restul”" in found
    assert client.post(f"/configurare/rutare/{rule.pk}/mutare/",
                       {"directie": "sus"}).status_code == 302
    found = client.get("/configurare/rutare/", sample).content.decode()
    assert "Se aplică regula nr. 1 „Cazier prin e-mail”: coada „Generală”." in found
    none = client.get("/configurare/rutare/", {**sample, "channel": "phone"}).content.decode()
    assert "Se aplică regula nr. 2 „Restul”" in none
    bad = client.post("/configurare/rutare/nou/", {"name": "X", "channel": "fax",
                                                   "queue": queue.pk})
    assert bad.status_code == 400 and "Canal necunoscut." in bad.content.decode()


def test_replies_articles_and_ticket_settings_pages(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = admin
    with schema_context(tenants.prov_a.schema_name):
        service = config.service_save(actor=user, data=config.ServiceInput(code="S1", name="S"))
    assert client.post("/configurare/raspunsuri/nou/", {
        "title": "Salut", "body": "Bună ziua,", "service": service.pk,
        "is_active": "on"}).status_code == 302
    assert client.post("/configurare/articole/nou/", {
        "title": "Cazierul", "body": "Pașii", "services": [service.pk],
        "is_published": "on"}).status_code == 302
    assert "Cazierul" in client.get("/configurare/articole/").content.decode()
    page = client.get("/configurare/tichete/").content.decode()
    assert 'value="PROVA"' in page and "doar tichetelor înregistrate de acum" in page
    bad = client.post("/configurare/tichete/", {"number_prefix": "P", "reopen_days": "10",
                                                "close_after_days": "5",
                                                "archive_after_days": "90"})
    assert bad.status_code == 400 and "2-12 caractere" in bad.content.decode()
    assert client.post("/configurare/tichete/", {
        "number_prefix": "CNAS", "reopen_days": "15", "close_after_days": "5",
        "archive_after_days": "90"}).status_code == 302
    with schema_context(tenants.prov_a.schema_name):
        assert CannedReply.objects.get().service == service
        assert list(KnowledgeArticle.objects.get().services.all()) == [service]
        settings = TicketSettings.objects.get()
        assert (settings.number_prefix, settings.reopen_days) == ("CNAS", 15)


def test_a_hub_offers_only_its_member_institutions(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    member, outsider = InstitutionFactory(), InstitutionFactory()
    HubMembership.objects.create(hub=tenants.hub, institution=member)
    client, _ = signed_in("coordinator", tenants.hub)
    form = client.get("/configurare/servicii/nou/").content.decode()
    assert member.name in form and outsider.name not in form
    refused = client.post("/configurare/servicii/nou/", {"code": "S", "name": "S",
                                                         "institution": outsider.pk})
    assert refused.status_code == 400
    assert "nu este deservită de acest spațiu" in refused.content.decode()
