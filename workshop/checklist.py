"""The default multi-point inspection checklist (seeded by migration 0004, then edited in the admin)."""

from decimal import Decimal

DEFAULT_CHECKLIST_NAME = "Multi-point inspection"
WHEELS = ("front left", "front right", "rear left", "rear right")
# (section, point, measurement label, hours proposed when amber or red)
DEFAULT_POINTS = [
    *[("Tyres", f"Tyre {wheel}", "Tread depth (mm)", Decimal("0.5")) for wheel in WHEELS],
    ("Brakes", "Front brake pads", "Pad thickness (mm)", Decimal("1.0")),
    ("Brakes", "Rear brake pads", "Pad thickness (mm)", Decimal("1.0")),
    ("Brakes", "Brake discs", "Disc thickness (mm)", Decimal("1.5")),
    ("Fluids", "Engine oil level", "", Decimal("0.3")),
    ("Fluids", "Coolant level", "", Decimal("0.3")),
    ("Fluids", "Brake fluid", "Water content (%)", Decimal("0.5")),
    ("Fluids", "Washer fluid", "", Decimal("0.1")),
    ("Lights", "Headlights and indicators", "", Decimal("0.3")),
    ("Lights", "Rear and brake lights", "", Decimal("0.3")),
    ("Visibility", "Wiper blades", "", Decimal("0.2")),
    ("Visibility", "Windscreen", "", Decimal("0.5")),
    ("Electrics", "Battery", "State of health (%)", Decimal("0.3")),
    ("Underbody", "Oil and fluid leaks", "", Decimal("1.0")),
    ("Underbody", "Suspension and steering joints", "", Decimal("1.0")),
    ("Underbody", "Exhaust", "", Decimal("1.0")),
]


def seed_default_checklist(template_model, item_model) -> int:
    """Create the default checklist when no checklist of that name exists; returns the number of points created."""
    template, created = template_model.objects.get_or_create(name=DEFAULT_CHECKLIST_NAME, brand=None, service_type="")
    if not created:
        return 0
    item_model.objects.bulk_create(
        item_model(template=template, position=position, section=section, label=label, measurement_label=measure, hours=hours)
        for position, (section, label, measure, hours) in enumerate(DEFAULT_POINTS, start=1)
    )
    return len(DEFAULT_POINTS)
