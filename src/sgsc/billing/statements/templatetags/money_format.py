"""Amounts of money as Moldovan documents write them: ``1 234,56`` (MDL named by the page)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """Two decimals, a comma before them and a no-break space between thousands, in every
    language of the interface (the statements themselves are in lei)."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
