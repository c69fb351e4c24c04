"""Small JPEG copies of the walk-around photos for the work-order PDF, embedded as data: URLs (the photos have no
public address; the PDF is the permission check)."""

import base64
import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

from .models import WorkOrder

logger = logging.getLogger(__name__)

THUMBNAIL_PIXELS = (360, 270)  # printed about 4.5 cm wide: sharp enough on paper, small in the file


def thumbnail_data_url(image_file) -> str:
    """The photo reduced to THUMBNAIL_PIXELS, upright, as a JPEG ``data:`` URL; "" when the file cannot be read."""
    try:
        with image_file.open("rb") as stored, Image.open(stored) as image:
            image.draft("RGB", THUMBNAIL_PIXELS)  # a JPEG decodes at a reduced scale: fast for a large photo
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail(THUMBNAIL_PIXELS)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        logger.warning("walk-around photo %s could not be read for the PDF", image_file.name)
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def pdf_photos(order: WorkOrder) -> list[dict]:
    """The order's walk-around photos for the PDF: the thumbnail, the caption and the damage mark's number."""
    numbers = {pk: number for number, pk in enumerate(order.damage_marks.values_list("pk", flat=True), start=1)}
    photos = []
    for photo in order.photos.filter(inspection_result__isnull=True):
        src = thumbnail_data_url(photo.image)
        if src:
            photos.append({"src": src, "caption": photo.caption, "mark_number": numbers.get(photo.damage_mark_id)})
    return photos
