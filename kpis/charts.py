"""Server-side SVG charts: the geometry is computed here, templates/kpis/_series.svg and _bars.svg draw it.

No JavaScript library and no CDN: the charts are plain SVG inside the page (and the PDF report).
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD = 240, 80, 14
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 14, 4, 90


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: Decimal | None


@dataclass(frozen=True)
class Series:
    points: list[Point]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - PAD

    @property
    def first_label(self) -> str:
        return self.points[0].label if self.points else ""

    @property
    def last_label(self) -> str:
        return self.points[-1].label if self.points else ""

    @property
    def path(self) -> str:
        """The polyline through the known values (a gap where a period has none)."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points if point.value is not None)


@dataclass(frozen=True)
class Bar:
    y: float
    length: float
    label: str
    value: Decimal | None


@dataclass(frozen=True)
class Bars:
    bars: list[Bar]
    width: int = WIDTH + LABEL_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def series_chart(values: list[tuple[str, Decimal | None]]) -> Series:
    known = [value for _label, value in values if value is not None]
    top, bottom = (max(known), min(min(known), Decimal("0"))) if known else (Decimal("1"), Decimal("0"))
    span = (top - bottom) or Decimal("1")
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    points = []
    for index, (label, value) in enumerate(values):
        y = HEIGHT - PAD - float((value - bottom) / span) * (HEIGHT - 2 * PAD) if value is not None else HEIGHT - PAD
        points.append(Point(PAD + index * step, y, label, value))
    return Series(points)


def bars_chart(values: list[tuple[str, Decimal | None]]) -> Bars:
    known = [abs(value) for _label, value in values if value is not None]
    top = max(known) if known and max(known) else Decimal("1")
    return Bars(
        [
            Bar(BAR_GAP + index * (BAR_HEIGHT + BAR_GAP), float(abs(value) / top) * (WIDTH - PAD) if value is not None else 0, label, value)
            for index, (label, value) in enumerate(values)
        ]
    )
