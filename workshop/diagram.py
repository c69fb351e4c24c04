"""The vehicle diagram of the walk-around: five views, each 200 × 100 units, marks placed at x, y from 0 to 1."""

from django.utils.translation import gettext_lazy as _

from .models import DamageMark

WIDTH, HEIGHT = 200, 100
SIDE = "M8 72 L14 50 L58 42 L82 18 L138 18 L164 42 L192 52 L192 72 Z"
OUTLINES = {
    DamageMark.View.FRONT: ["M36 84 L36 48 L58 16 L142 16 L164 48 L164 84 Z", "M62 22 L138 22 L150 44 L50 44 Z"],
    DamageMark.View.REAR: ["M36 84 L36 48 L58 16 L142 16 L164 48 L164 84 Z", "M64 24 L136 24 L146 42 L54 42 Z"],
    DamageMark.View.LEFT: [SIDE, "M86 24 L134 24 L154 42 L64 42 Z"],
    DamageMark.View.RIGHT: ["M192 72 L186 50 L142 42 L118 18 L62 18 L36 42 L8 52 L8 72 Z", "M114 24 L66 24 L46 42 L136 42 Z"],
    DamageMark.View.TOP: [
        "M22 14 L170 14 Q194 50 170 86 L22 86 Q8 50 22 14 Z",
        "M120 22 L150 28 L150 72 L120 78 Z",
        "M48 24 L66 26 L66 74 L48 76 Z",
    ],
}
WHEELS = {
    DamageMark.View.LEFT: [(48, 74), (156, 74)],
    DamageMark.View.RIGHT: [(44, 74), (152, 74)],
    DamageMark.View.FRONT: [(48, 86), (152, 86)],
    DamageMark.View.REAR: [(48, 86), (152, 86)],
    DamageMark.View.TOP: [],
}
COLOURS = {
    DamageMark.Kind.SCRATCH: "#d63384",
    DamageMark.Kind.DENT: "#0d6efd",
    DamageMark.Kind.CRACK: "#dc3545",
    DamageMark.Kind.CHIP: "#fd7e14",
}
LEGEND_TITLE = _("Damage marks")


def diagram_views(marks) -> list[dict]:
    """The views with their outlines and numbered marks, for the page and the PDF.

    Labels stay lazy: they read in the language the page or document is rendered in (a customer's PDF in
    theirs, whoever prints it), not in the language active when the marks are read."""
    numbered = [
        {
            "number": number,
            "view": mark.view,
            "kind": mark.kind,
            "kind_label": DamageMark.Kind(mark.kind).label,
            "view_label": DamageMark.View(mark.view).label,
            "note": mark.note,
            "cx": _coordinate(mark.x * WIDTH),
            "cy": _coordinate(mark.y * HEIGHT),
            "colour": COLOURS[mark.kind],
        }
        for number, mark in enumerate(marks, start=1)
    ]
    return [
        {
            "key": view.value,
            "label": view.label,
            "outlines": OUTLINES[view],
            "wheels": WHEELS[view],
            "marks": [mark for mark in numbered if mark["view"] == view.value],
        }
        for view in DamageMark.View
    ]


def _coordinate(value) -> str:
    """An SVG number with a dot, whatever the language (templates would print "50,0" in French)."""
    return f"{value:.2f}"


def legend(marks) -> list[dict]:
    return sorted((mark for view in diagram_views(marks) for mark in view["marks"]), key=lambda mark: mark["number"])


def kind_choices() -> list[dict]:
    return [{"value": kind.value, "label": kind.label, "colour": COLOURS[kind]} for kind in DamageMark.Kind]
