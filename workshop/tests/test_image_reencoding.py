"""An uploaded photo is stored re-encoded: no bytes after the image, no EXIF (GPS), still the right way up."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aftersales.lib.images import reencode_image
from workshop.services import add_photo

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
ORIENTATION, GPS_IFD = 0x0112, 0x8825


def jpeg_with_gps_turned_on_its_side() -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: show it rotated 90° clockwise
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), (200, 30, 30)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue() + PAYLOAD


def test_a_jpeg_with_trailing_html_and_gps_is_stored_without_either(order, advisor):
    upload = SimpleUploadedFile("car.jpg", jpeg_with_gps_turned_on_its_side(), content_type="image/jpeg")

    photo = add_photo(work_order=order, upload=upload, actor=advisor)

    stored = photo.image.read()
    assert PAYLOAD not in stored and b"</html>" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (20, 60)  # upright, the orientation applied to the pixels
        assert not image.getexif() and image.getexif().get_ifd(GPS_IFD) == {}
    assert photo.size == len(stored) and photo.content_type == "image/jpeg"


def test_only_decodable_images_come_out():
    assert reencode_image(b"GIF89a not really") is None
    assert reencode_image(PAYLOAD) is None
    png = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(png, format="PNG")
    with Image.open(io.BytesIO(reencode_image(png.getvalue() + PAYLOAD))) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
