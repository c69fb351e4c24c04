from django.core.management import call_command
from django.test import override_settings


def test_production_static_collection_resolves_every_reference(tmp_path, settings):
    """CompressedManifestStaticFilesStorage fails on a missing file a CSS or JS file points to (source maps too)."""
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)

    assert (tmp_path / "staticfiles.json").exists()
