from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "aftersales.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        # Every app's jobs.py registers its timed jobs (see aftersales.messaging.jobs).
        autodiscover_modules("jobs")
