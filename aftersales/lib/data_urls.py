"""Stored images shown inline as data: URLs, for files that MEDIA_ROOT does not serve (drawn signatures).

The page that embeds the URL is the permission check: the image never has an address of its own.
"""

import base64

from django.db.models.fields.files import FieldFile


def png_data_url(image: FieldFile | None) -> str:
    """The stored PNG as a ``data:`` URL for an ``<img src>``, or "" when no file is stored."""
    if not image:
        return ""
    with image.open("rb") as stored:
        return "data:image/png;base64," + base64.b64encode(stored.read()).decode()
