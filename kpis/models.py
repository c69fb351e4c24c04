"""The KPI figures, aggregated per site, local day and person from the stage apps' records by ``rollup``.

Nothing here is typed in: ``DailyFigure`` rows are rebuilt from the records by the timed jobs in ``jobs`` (and
``manage.py run_job kpi_figures_all --now``), so that a dashboard reads a few thousand small rows instead of
millions of records; ``MonthlyFigure`` sums them per month for the periods that span months. ``Dashboard`` is a
model without a table, only there to carry the dashboard's permission.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Brand, Site


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the KPI dashboards and their records"))]
        verbose_name = _("KPI dashboard")
        verbose_name_plural = _("KPI dashboards")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Figure(models.Model):
    """A KPI's numerator and denominator over one site's records of a period, for one person.

    ``part`` splits a KPI further (a payer, an origin, a workshop step, a lead-time band); ``person_id`` is the
    advisor or technician the KPI is split by, 0 for records without one."""

    kpi = models.CharField(max_length=40)
    part = models.CharField(max_length=40, blank=True, default="")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    person_id = models.IntegerField(default=0)
    num = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    den = models.DecimalField(max_digits=20, decimal_places=4, default=0)

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kpi}{':' + self.part if self.part else ''} {self.site_id} {self.day} {self.person_id}: {self.num}/{self.den}"


class DailyFigure(Figure):
    """The figure of one local day of the site. Retention rows hold the snapshot of the 12 months up to and including
    ``day``."""

    class Meta(Figure.Meta):
        constraints = [models.UniqueConstraint(fields=["site", "day", "kpi", "part", "person_id"], name="kpi_daily_figure_unique")]


class MonthlyFigure(Figure):
    """The daily figures of a whole month (``day`` is its first day) summed, for periods spanning months."""

    class Meta(Figure.Meta):
        constraints = [models.UniqueConstraint(fields=["site", "day", "kpi", "part", "person_id"], name="kpi_monthly_figure_unique")]


class FigureRefresh(models.Model):
    """When a site's daily figures were last rebuilt, and from which day (shown on the dashboard)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="+")
    built_at = models.DateTimeField()
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.site_id}: {self.first_day}..{self.last_day} at {self.built_at}"


class HistoryRebuild(models.Model):
    """A site's whole-history rebuild under way: the first day still to rebuild and the day it stops before. The jobs
    rebuild a few months at a time and move ``next_day`` on in the same transaction; a run cut off part-way goes on
    from there. Deleted once done."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="+")
    next_day = models.DateField()
    end = models.DateField()
    started_at = models.DateTimeField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.site_id}: {self.next_day}..{self.end}"


class Headline(models.TextChoices):
    """The brand standard's headline figures (keys of ``queries.KPIS``), in the order the dashboard shows them."""

    CONFIRMATION = "confirmation_30_min", _("Confirmation within 30 minutes")
    CALLBACK = "callback_7_days", _("7-day callback rate")
    FIRST_TIME_FIX = "fix_it_right", _("Fix-It-Right")
    SHOW_RATE = "show_rate", _("Show rate")
    COMPLAINTS = "complaints_24h", _("Complaints answered within 24 h")
    REQUESTS = "web_requests_2h", _("Requests answered within 2 working hours")


class HeadlineTarget(models.Model):
    """The target of one of the brand standard's headline figures, for a brand or for a site (a site's target wins
    over its brands'). A figure below the target by at most ``close_margin`` points is "close"."""

    kpi = models.CharField(_("figure"), max_length=40, choices=Headline.choices)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("brand"))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("site"))
    target = models.DecimalField(_("target (%)"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)])
    close_margin = models.DecimalField(
        _("close margin (points)"),
        max_digits=4,
        decimal_places=1,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A figure at most this many points below the target counts as close to it."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(brand__isnull=True, site__isnull=False) | Q(brand__isnull=False, site__isnull=True),
                name="kpi_target_brand_or_site",
            ),
            models.UniqueConstraint(fields=["kpi", "brand"], condition=Q(site__isnull=True), name="kpi_target_unique_brand"),
            models.UniqueConstraint(fields=["kpi", "site"], condition=Q(brand__isnull=True), name="kpi_target_unique_site"),
        ]
        verbose_name = _("headline figure target")
        verbose_name_plural = _("headline figure targets")

    def __str__(self) -> str:
        return f"{self.kpi} · {self.site or self.brand}: {self.target} %"

    def clean(self) -> None:
        if (self.brand_id is None) == (self.site_id is None):
            raise ValidationError({"site": _("Choose either a brand or a site, not both.")})
        if self.target is not None and self.close_margin is not None and self.close_margin > self.target:
            raise ValidationError({"close_margin": _("The close margin cannot be larger than the target.")})
