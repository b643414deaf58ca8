"""The audit log's CSV export: content, encoding, scoping, the limit, and its own audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.test import Client

from sgsc.shared_apps.audit import views
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from tests.factories import UserFactory

HEADER = ["ID", "Momentul (ora Chișinăului)", "Spațiu", "Lanț", "Nr. în lanț", "ID autor",
          "Autor", "Acțiune", "Tip obiect", "ID obiect", "Rezultat", "Adresă IP", "ID cerere",
          "Detalii", "Hash anterior", "Hash"]


def _export(client: Client, query: str = "") -> tuple[bytes, list[list[str]]]:
    response = client.get(f"/audit/export.csv{query}")
    assert response.status_code == 200, response
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="jurnal-audit-')
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    return body, rows


def test_export_is_utf8_with_bom_romanian_headers_and_chisinau_times(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    actor = UserFactory(email="ștefan.țurcan@test.gov.md")
    with time_machine.travel(datetime(2026, 1, 15, 8, 5, 9, tzinfo=UTC), tick=False):
        event = audit_record(action="export.winter", actor=actor, tenant=tenants.prov_a,
                             object_type="contract", object_id="C-2026-1",
                             outcome=AuditEvent.Outcome.FAILURE, details={"motiv": "așa"})
    client, _user = signed_in("auditor", tenants.prov_a)
    body, rows = _export(client, "?action=export.")
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0] == HEADER
    assert len(rows) == 2
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["ID"] == str(event.pk)
    # 08:05 UTC in January is 10:05 in Chisinau (UTC+2).
    assert row["Momentul (ora Chișinăului)"] == "2026-01-15 10:05:09"
    assert row["Spațiu"] == tenants.prov_a.name
    assert row["Autor"] == "ștefan.țurcan@test.gov.md" and row["ID autor"] == str(actor.pk)
    assert row["Rezultat"] == "Eșuat"
    assert row["Detalii"] == '{"motiv": "așa"}'
    assert row["Hash"] == event.hash and row["Hash anterior"] == event.previous_hash
    assert row["Nr. în lanț"] == str(event.sequence)


def test_export_is_newest_first_and_filtered(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    older = audit_record(action="export.order.one", tenant=tenants.prov_a)
    newer = audit_record(action="export.order.two", tenant=tenants.prov_a)
    audit_record(action="other.order", tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    _body, rows = _export(client, "?action=export.order")
    assert [row[0] for row in rows[1:]] == [str(newer.pk), str(older.pk)]


def test_export_never_holds_another_tenants_events(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="export.scope.mine", tenant=tenants.prov_a)
    audit_record(action="export.scope.theirs", tenant=tenants.prov_b)
    audit_record(action="export.scope.platform", tenant=None)
    client, _user = signed_in("auditor", tenants.prov_a)
    for query in ("", "?tenant=prov-b", "?tenant=platform&action=export.scope"):
        body, rows = _export(client, query)
        assert b"export.scope.theirs" not in body and b"export.scope.platform" not in body
        assert {row[3] for row in rows[1:]} <= {tenants.prov_a.schema_name}
    admin, _admin = signed_in("age_admin")
    body, _rows = _export(admin, "?tenant=prov-b&action=export.scope")
    assert b"export.scope.theirs" in body and b"export.scope.mine" not in body


def test_export_is_audited_with_filters_and_row_count(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    for index in range(3):
        audit_record(action=f"export.counted.{index}", tenant=tenants.prov_a)
    client, user = signed_in("auditor", tenants.prov_a)
    _body, rows = _export(client, "?action=export.counted&outcome=success&since=2020-01-01")
    assert len(rows) == 4  # the export's own event is not in the file
    event = AuditEvent.objects.filter(action="audit.export").latest("id")
    assert event.actor == user and event.tenant == tenants.prov_a
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details["rows"] == 3
    assert event.details["filters"] == {"action": "export.counted", "outcome": "success",
                                        "since": "2020-01-01T00:00:00+02:00"}


def test_export_over_the_limit_is_refused_clearly_and_audited(signed_in, tenants,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "EXPORT_MAX_ROWS", 2)
    for index in range(3):
        audit_record(action=f"export.many.{index}", tenant=tenants.prov_a)
    client, user = signed_in("auditor", tenants.prov_a)
    response = client.get("/audit/export.csv?action=export.many")
    assert response.status_code == 302
    assert response["Location"] == "/audit/?action=export.many"
    page = client.get(response["Location"]).content.decode()
    assert "Numărul de evenimente de exportat (3) depășește limita de 2." in page
    event = AuditEvent.objects.filter(action="audit.export", actor=user).latest("id")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details == {"filters": {"action": "export.many"}, "rows": 3,
                             "reason": "too_many_rows"}


def test_export_defuses_spreadsheet_formulas(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="export.formula", actor_label='=HYPERLINK("http://rău")',
                 object_id="+1", tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    _body, rows = _export(client, "?action=export.formula")
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["Autor"] == '\'=HYPERLINK("http://rău")'
    assert row["ID obiect"] == "'+1"


def test_invalid_export_filters_show_the_form_not_a_file(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("auditor", tenants.prov_a)
    exports_before = AuditEvent.objects.filter(action="audit.export").count()
    response = client.get("/audit/export.csv?until=mâine")
    assert response.status_code == 400
    assert "Introduceți o dată și o oră valide" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.export").count() == exports_before


def test_export_query_count_does_not_grow_with_rows(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("auditor", tenants.prov_a)
    actors = UserFactory.create_batch(3)
    for index in range(30):
        audit_record(action=f"export.bulk.{index}", actor=actors[index % 3],
                     tenant=tenants.prov_a)
    client.get("/")
    with assert_max_queries(14):
        _body, rows = _export(client, "?action=export.bulk")
    assert len(rows) == 31
