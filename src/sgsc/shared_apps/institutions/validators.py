"""IDNO (institutions) and IDNP (people): 13 digits with the 7-3-1 check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.md import idno as idno_number


def validate_idno(value: str) -> None:
    try:
        idno_number.validate(value)
    except StdnumValidationError as error:
        raise ValidationError(_("IDNO „%(value)s” nu este valid."), code="invalid_idno",
                              params={"value": value}) from error


def validate_idnp(value: str) -> None:
    # The IDNP uses the same 13-digit form and 7-3-1 check digit as the IDNO.
    try:
        idno_number.validate(value)
    except StdnumValidationError as error:
        raise ValidationError(_("IDNP „%(value)s” nu este valid."), code="invalid_idnp",
                              params={"value": value}) from error
