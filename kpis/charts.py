"""Server-side SVG charts: the geometry is computed here, templates/kpis/_series.svg draws it.

No JavaScript library and no CDN: the charts are plain SVG inside the page (and the PDF report). A trend is drawn
on a fixed grid (``WIDTH`` × ``HEIGHT`` user units, scaled to the card's width) with its value axis (bottom, middle
and top of the range), a label under each period and the value above each point.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 22, 30  # room for the value axis, the last value, the values above and the periods


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: Decimal | None

    @property
    def value_y(self) -> float:
        return self.y - 7


@dataclass(frozen=True)
class Tick:
    y: float
    value: Decimal


@dataclass(frozen=True)
class Series:
    points: list[Point]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def label_y(self) -> int:
        return self.height - BOTTOM + 16

    @property
    def path(self) -> str:
        """The polyline through the known values (a gap where a period has none)."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points if point.value is not None)


def series_chart(values: list[tuple[str, Decimal | None]]) -> Series:
    """The trend of ``values`` (label, value or None), oldest first; the value axis starts at 0 unless values are
    negative."""
    known = [value for _label, value in values if value is not None]
    top, bottom = (max(max(known), Decimal("0")), min(min(known), Decimal("0"))) if known else (Decimal("1"), Decimal("0"))
    span = (top - bottom) or Decimal("1")
    plot = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT - 20) / max(len(values) - 1, 1)

    def y_of(value: Decimal) -> float:
        return HEIGHT - BOTTOM - float((value - bottom) / span) * plot

    points = [
        Point(LEFT + 10 + index * step, y_of(value) if value is not None else HEIGHT - BOTTOM, label, value)
        for index, (label, value) in enumerate(values)
    ]
    ticks = [Tick(y_of(value), value) for value in sorted({bottom, (bottom + top) / 2, bottom + span})]
    return Series(points, ticks)
