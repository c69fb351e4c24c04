"""Reading a staff page in each language of the UI, as a user whose profile says that language."""

import html

from django.test import Client
from django.utils import translation

UI_LANGUAGES = ("en", "fr", "ru", "zh-hans")


def page_in(client: Client, user, url: str, language: str) -> str:
    """The page's text (entities decoded) as ``user`` reads it with ``language`` on their profile."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    with translation.override(None):  # the request activates the user's language: it must not outlive the request
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.content.decode())
