"""How a usage record's ``source`` (what its figure was computed from) reads on a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

# Shown with the size ("bytes"), not on their own.
_WITH_SIZE = frozenset({"unit", "tables", "schema"})
# The meter's rule, in English for the record; the page's column header already says it.
_NOT_SHOWN = frozenset({"rule"})
# PostgreSQL's jsonb keeps its own key order: the page puts the known keys first, this way.
_ORDER = ("memberships", "limited", "tickets", "calls", "seconds", "bytes", "by_institution",
          "seconds_by_institution", "previous")


def _number(value: Any) -> str:
    """A recorded figure without trailing zeros, in the page's number format."""
    try:
        exact = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    return str(formats.number_format(exact))


def _ids(values: Iterable[Any]) -> str:
    return ", ".join(str(value) for value in values) or "—"


def _part(key: str, value: Any, source: Mapping[str, Any]) -> str:
    if key == "memberships":
        return _("membri: %(ids)s") % {"ids": _ids(value)}
    if key == "limited":
        granted = "; ".join(f"{member} → {_ids(ids)}" for member, ids in value.items())
        return _("acces limitat (membru → instituții): %(grants)s") % {
            "grants": granted or "—"}
    if key == "bytes":
        text = _("schema %(schema)s: %(size)s") % {"schema": source.get("schema", ""),
                                                   "size": filesizeformat(value)}
        if "tables" in source:
            text += " " + _("(%(tables)s tabele)") % {"tables": source["tables"]}
        return text
    if key == "tickets":
        return _("solicitări: %(ids)s") % {"ids": _ids(value)}
    if key == "calls":
        return _("apeluri: %(ids)s") % {"ids": _ids(value)}
    if key == "seconds":
        return _("durata convorbirilor: %(seconds)s s") % {"seconds": _number(value)}
    if key in ("by_institution", "seconds_by_institution"):
        counts = ", ".join(f"{institution}: {_number(count)}"
                           for institution, count in value.items())
        label = (_("pe instituții: %(counts)s") if key == "by_institution"
                 else _("secunde pe instituții: %(counts)s"))
        return label % {"counts": counts or "—"}
    if key == "previous":
        return _("corectat de la %(previous)s la %(corrected)s") % {
            "previous": _number(value), "corrected": _number(source.get("corrected", ""))}
    if isinstance(value, list):
        return f"{key}: {_ids(value)}"
    return f"{key}: {value}"


@register.filter
def usage_source(source: Mapping[str, Any] | None) -> str:
    """E.g. "membri: 6, 7, 8 · acces limitat (membru → instituții): 8 → 4" or "schema cnas:
    352,3 KB (57 tabele)"; keys this page does not know are shown as they are."""
    if not source:
        return "—"
    skipped = set(_NOT_SHOWN) | (set(_WITH_SIZE) if "bytes" in source else set())
    if "previous" in source:
        skipped.add("corrected")
    keys = sorted((key for key in source if key not in skipped),
                  key=lambda key: (_ORDER.index(key) if key in _ORDER else len(_ORDER), key))
    return " · ".join(_part(key, source[key], source) for key in keys)
