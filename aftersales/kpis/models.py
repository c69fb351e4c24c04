"""The KPI app stores no figures: every KPI is computed from the stage apps' records (see ``queries``).

``Dashboard`` is a model without a table, only there to carry the dashboard's permission.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the KPI dashboards and their records"))]
        verbose_name = _("KPI dashboard")
        verbose_name_plural = _("KPI dashboards")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
