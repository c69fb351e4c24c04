import base64
import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from workshop.services import STEP_SERVICES

STEP_DATA = {
    "prepare": {"cover_seat": True, "cover_steering_wheel": True, "cover_floor_mat": True},
    "greet": {"customer_words": "Squeak when braking", "requested_work_confirmed": True},
    "walk_around": {
        "mileage_in": 43_210,
        "fuel_level": 5,
        "valuables": "Sunglasses",
        "marks": [{"view": "left", "x": 0.25, "y": 0.5, "kind": "scratch", "note": "rear door"}],
    },
    "findings": {"findings": "Front pads worn"},
    "documents": {
        "doc_radio_code": True,
        "doc_wheel_lock_key": True,
        "doc_service_book": True,
        "doc_driving_licence": False,
        "doc_registration_papers": True,
    },
    "agreement": {"spending_limit": Decimal("150.00"), "payment_method": "card", "contact_phone": "06 12 34 56 78"},
    "mobility": {"departure": "leaves", "mobility": None},
}


def step_data(step: str) -> dict:
    if step == "estimate":
        return {"promised_at": timezone.now() + timedelta(hours=6)}
    return dict(STEP_DATA[step])


def fill_check_in(order, actor, **changes):
    """Every check-in step with the usual data, a step's fields changed by ``changes``: agreement={"contact_phone": …}."""
    for step in ("prepare", "greet", "walk_around", "findings", "estimate", "documents", "agreement", "mobility"):
        order = STEP_SERVICES[step](work_order=order, actor=actor, **{**step_data(step), **changes.get(step, {})})
    return order


def image_bytes(fmt="PNG", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo_upload(name="photo.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else image_bytes("JPEG"), content_type=content_type)


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(image_bytes("PNG", (300, 120))).decode()


def technician_of(user, site, skills=("mechanics", "diagnosis")):
    from appointments.models import TechnicianProfile

    TechnicianProfile.objects.update_or_create(user=user, defaults={"site": site, "skills": list(skills)})
    return user
