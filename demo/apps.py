from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of the dealer group and of every stage, loaded by ``manage.py load_demo_data`` (no models)."""

    name = "demo"
