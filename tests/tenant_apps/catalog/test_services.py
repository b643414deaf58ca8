"""The configuration services: stable codes for bad input, audit of changes and refusals,
deletion only of unreferenced rows, the tree, the matrix, teams, routing order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenant_apps.catalog import services as config
from sgsc.tenant_apps.catalog.models import (
    Category,
    KnowledgeArticle,
    Priority,
    PriorityRule,
    RoutingRule,
    Service,
    ServiceGroup,
    Team,
)
from sgsc.tenant_apps.catalog.selectors import routing_decide
from sgsc.tenant_apps.sla.config_services import SlaPolicyInput, sla_policy_save
from sgsc.tenant_apps.tickets.access import ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from tests.conftest import Tenants
from tests.factories import InstitutionFactory
from tests.tenant_apps.catalog.conftest import last_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(user_with_role: Callable[..., User], tenants: Tenants) -> User:
    return user_with_role("tenant_admin", tenants.prov_a)


def refused(call: Callable[[], object]) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value


def test_a_service_code_is_unique_whatever_its_case_and_refusals_are_audited(  # type: ignore[no-untyped-def]
        actor, in_prov_a) -> None:
    config.service_save(actor=actor, data=config.ServiceInput(code="CERT-01", name="Cazier"))
    error = refused(lambda: config.service_save(actor=actor, data=config.ServiceInput(
        code="cert-01", name="Alt serviciu")))
    assert isinstance(error, Conflict) and error.code == "duplicate_code"
    event = last_event("config.service.create")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details == {"code": "duplicate_code", "fields": ["code"]}
    assert refused(lambda: config.service_save(actor=actor, data=config.ServiceInput(
        code="cu spațiu", name="X"))).code == "invalid_code"
    assert refused(lambda: config.service_save(actor=actor, data=config.ServiceInput(
        code="X1", name="  "))).code == "required"
    assert refused(lambda: config.service_save(actor=actor, data=config.ServiceInput(
        code="X1", name="X", resolution_hours=0))).code == "out_of_range"
    assert refused(lambda: config.service_group_save(actor=actor, data=config.ServiceGroupInput(
        code="g", name="G"), pk=999_999)).code == "not_found"
    assert Service.objects.count() == 1


def test_an_update_records_only_what_changed(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    group = config.service_group_save(actor=actor, data=config.ServiceGroupInput(
        code="sociale", name="Prestații sociale"))
    service = config.service_save(actor=actor, data=config.ServiceInput(code="A", name="A"))
    config.service_save(actor=actor, pk=service.pk, data=config.ServiceInput(
        code="A", name="A", group=group.pk, resolution_hours=16))
    event = last_event("config.service.update")
    assert event.details == {"changes": {"group": [None, group.pk],
                                         "resolution_hours": [None, 16]}}
    count = AuditEvent.objects.count()
    config.service_save(actor=actor, pk=service.pk, data=config.ServiceInput(
        code="A", name="A", group=group.pk, resolution_hours=16))
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded


def test_categories_form_a_tree_without_cycles(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    root = config.category_save(actor=actor, data=config.CategoryInput(name="Acte"))
    child = config.category_save(actor=actor, data=config.CategoryInput(name="Cazier",
                                                                         parent=root.pk))
    grandchild = config.category_save(actor=actor, data=config.CategoryInput(
        name="Online", parent=child.pk))
    error = refused(lambda: config.category_save(actor=actor, pk=root.pk, data=(
        config.CategoryInput(name="Acte", parent=grandchild.pk))))
    assert error.code == "category_cycle" and error.fields == {"parent": ["Ar forma un ciclu."]}
    assert refused(lambda: config.category_save(actor=actor, pk=root.pk, data=(
        config.CategoryInput(name="Acte", parent=root.pk)))).code == "category_cycle"
    assert refused(lambda: config.category_save(actor=actor, data=config.CategoryInput(
        name="cazier", parent=root.pk))).code == "duplicate_name"
    # The same name elsewhere in the tree is another category.
    config.category_save(actor=actor, data=config.CategoryInput(name="Cazier"))
    root.refresh_from_db()
    assert root.parent_id is None
    assert refused(lambda: config.config_delete(actor=actor, model=Category,
                                                pk=root.pk)).code == "in_use"


def test_the_matrix_must_be_complete_and_name_known_priorities(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    p1 = Priority.objects.get(code="p1")
    cells: dict[tuple[int, int], int | None] = {(i, u): p1.pk for i in (1, 2, 3)
                                                for u in (1, 2, 3)}
    config.priority_matrix_set(actor=actor, cells=cells)
    assert set(PriorityRule.objects.values_list("priority__code", flat=True)) == {"p1"}
    changes = last_event("config.priorityrule.update").details["changes"]
    assert changes["3x3"] == ["p4", "p1"] and "1x1" not in changes
    error = refused(lambda: config.priority_matrix_set(actor=actor,
                                                       cells={**cells, (2, 2): None}))
    assert error.code == "matrix_incomplete" and set(error.fields) == {"cell_2_2"}
    assert refused(lambda: config.priority_matrix_set(
        actor=actor, cells={**cells, (1, 3): 999_999})).code == "unknown_priority"
    assert PriorityRule.objects.filter(priority=p1).count() == 9  # nothing half-written
    assert refused(lambda: config.priority_save(actor=actor, data=config.PriorityInput(
        code="p5", name="Foarte scăzută", rank=1))).code == "duplicate_rank"
    assert refused(lambda: config.config_delete(actor=actor, model=Priority,
                                                pk=p1.pk)).code == "in_use"


def test_only_rows_nothing_references_are_deleted(actor, in_prov_a, tenants) -> None:  # type: ignore[no-untyped-def]
    group = config.service_group_save(actor=actor, data=config.ServiceGroupInput(
        code="g1", name="Grup"))
    sla_policy_save(actor=actor, data=SlaPolicyInput(
        priority=Priority.objects.get(code="p2").pk, group=group.pk,
        first_response_minutes=60, resolution_minutes=480))
    error = refused(lambda: config.config_delete(actor=actor, model=ServiceGroup, pk=group.pk))
    assert error.code == "in_use" and "politici SLA" in error.message
    service = config.service_save(actor=actor, data=config.ServiceInput(code="S1", name="S1"))
    with schema_context("public"):
        access = ticket_access_for_user(user=actor, tenant=tenants.prov_a)
    ticket_create(access=access, data=TicketInput(
        channel="phone", title="Întrebare", requester=Requester(name="Ion", phone="069123456"),
        service_id=service.pk))
    error = refused(lambda: config.config_delete(actor=actor, model=Service, pk=service.pk))
    assert error.code == "in_use" and "tichete" in error.message
    assert "Dezactivați" in error.message
    config.service_save(actor=actor, pk=service.pk, data=config.ServiceInput(
        code="S1", name="S1", is_active=False))
    spare = config.service_save(actor=actor, data=config.ServiceInput(code="S2", name="S2"))
    config.config_delete(actor=actor, model=Service, pk=spare.pk)
    assert not Service.objects.filter(pk=spare.pk).exists()
    assert last_event("config.service.delete").details == {"name": "S2 S2"}


def test_articles_link_only_active_services_but_keep_old_links(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    service = config.service_save(actor=actor, data=config.ServiceInput(code="S1", name="S1"))
    article = config.article_save(actor=actor, data=config.ArticleInput(
        title="Cum obțin cazierul", body="Pașii...", services=[service.pk]))
    config.service_save(actor=actor, pk=service.pk, data=config.ServiceInput(
        code="S1", name="S1", is_active=False))
    config.article_save(actor=actor, pk=article.pk, data=config.ArticleInput(
        title="Cum obțin cazierul online", body="Pașii...", services=[service.pk]))
    other = config.service_save(actor=actor, data=config.ServiceInput(
        code="S2", name="S2", is_active=False))
    assert refused(lambda: config.article_save(actor=actor, data=config.ArticleInput(
        title="Alt articol", body="...", services=[other.pk]))).code == "unknown_service"
    assert list(KnowledgeArticle.objects.get().services.values_list("code", flat=True)) == ["S1"]
    # An article owns its links to services: deleting it is allowed.
    config.config_delete(actor=actor, model=KnowledgeArticle, pk=article.pk)


def test_teams_members_and_levels(actor, in_prov_a, tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    with schema_context("public"):
        operator = user_with_role("l1_operator", tenants.prov_a)
        specialist = user_with_role("l2_specialist", tenants.prov_a)
        auditor = user_with_role("auditor", tenants.prov_a)
        stranger = user_with_role("l2_specialist", tenants.prov_b)
    first = config.team_save(actor=actor, data=config.TeamInput(name="Linia 1"))
    second = config.team_save(actor=actor, data=config.TeamInput(name="Specialiști", level=2))
    config.team_member_add(actor=actor, team_id=first.pk, user_id=operator.pk, on_shift=True)
    config.team_member_add(actor=actor, team_id=second.pk, user_id=specialist.pk)
    for team, person in ((second, operator), (first, auditor), (first, stranger)):
        error = refused(lambda team=team, person=person: config.team_member_add(
            actor=actor, team_id=team.pk, user_id=person.pk))
        assert error.code == "member_not_eligible"
    assert refused(lambda: config.team_member_add(
        actor=actor, team_id=first.pk, user_id=operator.pk)).code == "duplicate_member"
    # Raising the level would leave an L1 operator in an L2 team.
    error = refused(lambda: config.team_save(actor=actor, pk=first.pk, data=config.TeamInput(
        name="Linia 1", level=2)))
    assert error.code == "member_not_eligible"
    assert refused(lambda: config.team_save(actor=actor, data=config.TeamInput(
        name="linia 1"))).code == "duplicate_name"
    member = first.members.get()
    config.team_member_update(actor=actor, team_id=first.pk, member_id=member.pk, on_shift=False)
    assert refused(lambda: config.team_member_remove(
        actor=actor, team_id=second.pk, member_id=member.pk)).code == "not_found"
    config.team_member_remove(actor=actor, team_id=first.pk, member_id=member.pk)
    assert last_event("config.teammember.delete").details == {"team": first.pk,
                                                              "user": operator.pk}


def test_an_external_l3_team_belongs_to_another_active_provider_or_age(  # type: ignore[no-untyped-def]
        actor, in_prov_a, tenants) -> None:
    team = config.team_save(actor=actor, data=config.TeamInput(
        name="STISC", level=3, external_tenant=tenants.prov_b.pk))
    assert team.external_tenant == tenants.prov_b
    for other in (tenants.hub, tenants.prov_a):
        assert refused(lambda other=other: config.team_save(actor=actor, data=config.TeamInput(
            name="X", level=3, external_tenant=other.pk))).code == "external_tenant_not_allowed"
    assert refused(lambda: config.team_save(actor=actor, data=config.TeamInput(
        name="X", level=2, external_tenant=tenants.prov_b.pk))).code == "external_team_level"
    assert refused(lambda: config.team_save(actor=actor, data=config.TeamInput(
        name="X", level=4))).code == "out_of_range"


def test_queues_and_teams_switch_off_in_order(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    team = config.team_save(actor=actor, data=config.TeamInput(name="Linia 1"))
    queue = config.queue_save(actor=actor, data=config.QueueInput(name="Generală", team=team.pk,
                                                                  auto_assign=True))
    error = refused(lambda: config.team_save(actor=actor, pk=team.pk, data=config.TeamInput(
        name="Linia 1", is_active=False)))
    assert error.code == "team_has_active_queues"
    config.queue_save(actor=actor, pk=queue.pk, data=config.QueueInput(
        name="Generală", team=team.pk, is_active=False))
    config.team_save(actor=actor, pk=team.pk, data=config.TeamInput(name="Linia 1",
                                                                   is_active=False))
    assert refused(lambda: config.queue_save(actor=actor, data=config.QueueInput(
        name="Nouă", team=team.pk))).code == "unknown_team"
    assert refused(lambda: config.queue_save(actor=actor, data=config.QueueInput(
        name="Nouă"))).code == "required"
    assert refused(lambda: config.config_delete(actor=actor, model=Team,
                                                pk=team.pk)).code == "in_use"


def test_routing_rules_keep_their_order_and_decide(actor, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    team = config.team_save(actor=actor, data=config.TeamInput(name="Linia 1"))
    general = config.queue_save(actor=actor, data=config.QueueInput(name="Generală", team=team.pk))
    mail = config.queue_save(actor=actor, data=config.QueueInput(name="E-mail", team=team.pk))
    catch_all = config.routing_rule_save(actor=actor, data=config.RoutingRuleInput(
        name="Restul", queue=general.pk))
    by_word = config.routing_rule_save(actor=actor, data=config.RoutingRuleInput(
        name="Cazier", channel="email", keywords=[" cazier ", "Cazier", ""], queue=mail.pk))
    assert (catch_all.position, by_word.position) == (1, 2)
    assert by_word.keywords == ["cazier"]
    route = routing_decide(channel="email", service_id=None, institution_id=None,
                           text="Certificat de cazier")
    assert route.rule_id == catch_all.pk
    assert config.routing_rule_move(actor=actor, pk=by_word.pk, up=True) == [by_word.pk,
                                                                             catch_all.pk]
    assert last_event("config.routingrule.move").details == {"position": [2, 1]}
    route = routing_decide(channel="email", service_id=None, institution_id=None,
                           text="Certificat de CAZIER")
    assert route.queue == mail
    # At the top already: nothing moves.
    assert config.routing_rule_move(actor=actor, pk=by_word.pk, up=True)[0] == by_word.pk
    assert refused(lambda: config.routing_rule_save(actor=actor, data=config.RoutingRuleInput(
        name="X", channel="fax", queue=general.pk))).code == "unknown_channel"
    assert refused(lambda: config.routing_rule_save(actor=actor, data=config.RoutingRuleInput(
        name="X", keywords=[f"w{n}" for n in range(31)],
        queue=general.pk))).code == "invalid_keywords"
    assert list(RoutingRule.objects.values_list("position", flat=True)) == [1, 2]


def test_in_a_hub_only_current_members_may_be_named(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    coordinator = user_with_role("coordinator", tenants.hub)
    member, former, outsider = (InstitutionFactory() for _ in range(3))
    HubMembership.objects.create(hub=tenants.hub, institution=member)
    left = HubMembership.objects.create(hub=tenants.hub, institution=former)
    with schema_context(tenants.hub.schema_name):
        kept = config.service_save(actor=coordinator, data=config.ServiceInput(
            code="S0", name="Înainte de ieșire", institution=former.pk))
        HubMembership.objects.filter(pk=left.pk).update(left_at=timezone.now())
        service = config.service_save(actor=coordinator, data=config.ServiceInput(
            code="S1", name="Serviciu", institution=member.pk))
        assert service.institution == member
        for institution in (former, outsider):
            error = refused(lambda institution=institution: config.service_save(
                actor=coordinator, data=config.ServiceInput(code="S2", name="S",
                                                            institution=institution.pk)))
            assert isinstance(error, InvalidInput)
            assert error.code == "institution_not_allowed"
            assert refused(lambda institution=institution: config.team_save(
                actor=coordinator, data=config.TeamInput(
                    name="E", institution=institution.pk))).code == "institution_not_allowed"
        # A service already naming an institution that has left keeps it on other changes.
        config.service_save(actor=coordinator, pk=kept.pk, data=config.ServiceInput(
            code="S0", name="Redenumit", institution=former.pk))


def test_a_provider_names_only_its_own_institution(actor, tenants) -> None:  # type: ignore[no-untyped-def]
    own, other = InstitutionFactory(), InstitutionFactory()
    tenants.prov_a.institution = own
    tenants.prov_a.save(update_fields=["institution"])
    with schema_context(tenants.prov_a.schema_name):
        assert config.service_save(actor=actor, data=config.ServiceInput(
            code="S1", name="S", institution=own.pk)).institution == own
        assert refused(lambda: config.service_save(actor=actor, data=config.ServiceInput(
            code="S2", name="S", institution=other.pk))).code == "institution_not_allowed"


def test_a_new_prefix_applies_to_new_numbers_only(actor, in_prov_a, tenants) -> None:  # type: ignore[no-untyped-def]
    with schema_context("public"):
        access = ticket_access_for_user(user=actor, tenant=tenants.prov_a)
    data = TicketInput(channel="phone", title="Întrebare",
                       requester=Requester(name="Ion", phone="069123456"))
    before = ticket_create(access=access, data=data)
    saved = config.ticket_settings_update(actor=actor, data=config.TicketSettingsInput(
        number_prefix="cnas", reopen_days=10, close_after_days=5, archive_after_days=90))
    assert saved.number_prefix == "CNAS"
    after = ticket_create(access=access, data=data)
    assert before.number.startswith("PROVA-") and after.number.startswith("CNAS-")
    before.refresh_from_db()
    assert before.number.startswith("PROVA-")
    for prefix in ("C", "CNAS-1", "ABCDEFGHIJKLM", "ȘTI"):
        assert refused(lambda prefix=prefix: config.ticket_settings_update(
            actor=actor, data=config.TicketSettingsInput(
                number_prefix=prefix, reopen_days=10, close_after_days=5,
                archive_after_days=90))).code == "invalid_prefix"
    error = refused(lambda: config.ticket_settings_update(actor=actor, data=(
        config.TicketSettingsInput(number_prefix="CNAS", reopen_days=0, close_after_days=5,
                                   archive_after_days=90))))
    assert error.code == "out_of_range" and set(error.fields) == {"reopen_days"}


def test_a_team_may_be_deleted_with_its_members(  # type: ignore[no-untyped-def]
        actor, in_prov_a, tenants, user_with_role) -> None:
    with schema_context("public"):
        operator = user_with_role("l1_operator", tenants.prov_a)
    team = config.team_save(actor=actor, data=config.TeamInput(name="Temporară"))
    config.team_member_add(actor=actor, team_id=team.pk, user_id=operator.pk)
    config.config_delete(actor=actor, model=Team, pk=team.pk)
    assert not Team.objects.exists()
