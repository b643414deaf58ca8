"""Reads of the institutions registry."""

from __future__ import annotations

import re

from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.institutions.models import Institution

# Romanian letters with diacritics (both the comma and the cedilla forms of ș and ț) and the
# letter a search typed without them matches. Folded the same way in Python and in SQL with
# translate(), which every PostgreSQL has (pgserver ships no unaccent).
_WITH = "ăâîșşțţĂÂÎȘŞȚŢ"
_WITHOUT = "aaissttAAISSTT"
_FOLD_TABLE = str.maketrans(_WITH, _WITHOUT)


def fold(text: str) -> str:
    return text.lower().translate(_FOLD_TABLE).lower()


def _folded(field: str) -> Func:
    return Func(Lower(F(field)), Value(_WITH), Value(_WITHOUT), function="translate",
                output_field=CharField())


def institution_list(*, search: str = "") -> QuerySet[Institution]:
    """Institutions matching ``search`` (see ``institutions_matching``)."""
    return institutions_matching(Institution.objects.select_related("parent"), search=search)


def institutions_matching(institutions: QuerySet[Institution], *,
                          search: str) -> QuerySet[Institution]:
    """Those of ``institutions`` matching ``search`` in any of their names (diacritics
    ignored) or in the IDNO (spaces ignored); all of them when it is empty."""
    search = search.strip()[:255]
    if not search:
        return institutions
    condition = (Q(folded_name__contains=fold(search)) | Q(name_ru__icontains=search)
                 | Q(name_en__icontains=search))
    digits = re.sub(r"\s+", "", search)
    if digits.isdigit():
        condition |= Q(idno__contains=digits)
    return institutions.annotate(folded_name=_folded("name")).filter(condition)


def institution_get(*, institution_id: int) -> Institution:
    institution = Institution.objects.select_related("parent").filter(pk=institution_id).first()
    if institution is None:
        raise NotFound(_("Instituția nu există."), code="institution_not_found")
    return institution


def institution_get_by_idno(*, idno: str) -> Institution | None:
    return Institution.objects.filter(idno=re.sub(r"\s+", "", idno)).first()
