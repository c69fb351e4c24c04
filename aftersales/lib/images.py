"""Uploaded images are re-encoded before they are stored, never kept byte for byte.

Decoding and encoding again with Pillow keeps the picture and nothing else:
bytes appended after the image (an HTML or script payload) are dropped, and so
is the metadata (EXIF with the GPS position and the camera, XMP, text chunks)
that the customer never agreed to share. The EXIF orientation is applied to
the pixels first, so the photo still stands the right way up. The colour
profile is kept.
"""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

REENCODED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 90


def reencode_image(content: bytes) -> bytes | None:
    """The image's pixels encoded again in its own format (JPEG, PNG or WebP), or None if it cannot be decoded."""
    try:
        with Image.open(io.BytesIO(content)) as original:
            image_format = original.format
            if image_format not in REENCODED_FORMATS:
                return None
            icc_profile = original.info.get("icc_profile")
            upright = ImageOps.exif_transpose(original)
            options = {"icc_profile": icc_profile} if icc_profile else {}
            if image_format in ("JPEG", "WEBP"):
                options["quality"] = JPEG_QUALITY
            output = io.BytesIO()
            upright.save(output, format=image_format, **options)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return output.getvalue()
