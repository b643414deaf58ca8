"""Geometry of the console's horizontal bar charts; the SVG itself is drawn by the template
``statements/_bar_chart.html`` (no script: the content security policy forbids inline code)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 270
BAR_SPACE = 420
VALUE_WIDTH = 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    url: str
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    value_x: int = LABEL_WIDTH + BAR_SPACE + 6


def bar_chart(*, title: str, items: list[tuple[str, Decimal, str]]) -> BarChart:
    """One bar per (label, value, link) item, the longest for the largest value."""
    peak = max((abs(value) for _label, value, _url in items), default=Decimal(0))
    bars = []
    for index, (label, value, url) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = int(BAR_SPACE * abs(value) / peak) if peak else 0
        bars.append(Bar(label=label if len(label) <= 40 else label[:39] + "…", value=value, url=url, y=y, width=max(width, 1),
                        text_y=y + BAR_HEIGHT * 2 // 3))
    return BarChart(title=title, bars=bars, height=GAP + len(items) * (BAR_HEIGHT + GAP))
