from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "aftersales.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Every app's jobs.py registers its timed jobs (see aftersales.jobs.registry).
        autodiscover_modules("jobs")
