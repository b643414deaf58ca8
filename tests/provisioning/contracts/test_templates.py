"""The versioned standard contract: version 1 from the migration, new versions, no edits once
used."""

from __future__ import annotations

from datetime import date

import pytest

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract, ContractTemplate
from sgsc.provisioning.contracts.pdf import contract_body_html
from sgsc.provisioning.contracts.services import (
    contract_template_create_version,
    contract_template_current,
    contract_template_update,
)
from sgsc.shared_apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_version_one_is_a_romanian_connection_contract() -> None:
    template = ContractTemplate.objects.get(version=1)
    body = template.body
    for expected in ("CONTRACT DE CONECTARE", "IDNO", "Obiectul contractului",
                     "Obligațiile AGE", "Obligațiile prestatorului", "{{ handover_days }} zile lucrătoare",
                     "Legea nr. 133/2011", "Cancelaria de Stat", "contract.tariff_code",
                     "Termenul contractului", "Suspendarea și încetarea", "pct. 37.4",
                     "Dispoziții finale", "Semnăturile părților", "niveluri", "1 și 2"):
        assert expected in body, expected
    assert contract_template_current(on=date(2026, 6, 1)) == template


def test_new_version_leaves_the_old_one_alone(officer) -> None:  # type: ignore[no-untyped-def]
    old = ContractTemplate.objects.get(version=1)
    old_body = old.body
    new = contract_template_create_version(title="Contract-tip revizuit",
                                           body="<p>{{ contract.number }}</p>",
                                           effective_from=date(2030, 1, 1), actor=officer)
    assert new.version == 2
    assert new.created_by == officer
    old.refresh_from_db()
    assert old.body == old_body
    # The version in effect depends on the day.
    assert contract_template_current(on=date(2029, 12, 31)) == old
    assert contract_template_current(on=date(2030, 1, 1)) == new
    event = AuditEvent.objects.filter(action="contract.template.create").latest("id")
    assert event.details["version"] == 2 and event.actor == officer and event.tenant is None


def test_a_used_version_cannot_be_edited(draft, officer) -> None:  # type: ignore[no-untyped-def]
    template = draft.template
    before = (template.title, template.body, template.effective_from)
    with pytest.raises(Conflict) as error:
        contract_template_update(template=template, title="Altceva", body="<p>x</p>",
                                 effective_from=date(2026, 1, 1), actor=officer)
    assert error.value.code == "template_in_use"
    template.refresh_from_db()
    assert (template.title, template.body, template.effective_from) == before
    refusal = AuditEvent.objects.filter(action="contract.template.update").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == "template_in_use"


def test_an_unused_version_can_be_corrected(officer) -> None:  # type: ignore[no-untyped-def]
    new = contract_template_create_version(title="Provizoriu", body="<p>a</p>",
                                           effective_from=date(2031, 1, 1), actor=officer)
    fixed = contract_template_update(template=new, title="Corectat", body="<p>b</p>",
                                     effective_from=date(2031, 2, 1), actor=officer)
    assert (fixed.title, fixed.body, fixed.version) == ("Corectat", "<p>b</p>", new.version)


@pytest.mark.parametrize(("title", "body", "code"), [
    ("", "<p>x</p>", "required"),
    ("Titlu", "  ", "required"),
    ("Titlu", "{% if contract %}<p>neînchis</p>", "invalid_template"),
    ("Titlu", "{{ contract.number|filtru_inexistent }}", "invalid_template"),
    ("Titlu", "{% url 'nu-exista' %}", "invalid_template"),
])
def test_bad_versions_are_refused(officer, title, body, code) -> None:  # type: ignore[no-untyped-def]
    count = ContractTemplate.objects.count()
    with pytest.raises(InvalidInput) as error:
        contract_template_create_version(title=title, body=body,
                                         effective_from=date(2030, 1, 1), actor=officer)
    assert error.value.code == code
    assert ContractTemplate.objects.count() == count


def test_body_renders_contract_data_and_escapes_it(draft) -> None:  # type: ignore[no-untyped-def]
    institution = draft.institution
    institution.name = "Agenția <Test> & Co"
    institution.save()
    draft.refresh_from_db()
    html = contract_body_html(contract=Contract.objects.get(pk=draft.pk))
    assert draft.number in html
    assert "Agenția &lt;Test&gt; &amp; Co" in html
    assert "Pensii și indemnizații" in html
    assert "Telefon, E-mail" in html
    assert "TARIF-2027-STD" in html
    assert "10 zile lucrătoare" in html
    assert f"{draft.tenant_slug}.sgsc.test" in html
