from django.contrib import admin

from .models import HeadlineTarget


@admin.register(HeadlineTarget)
class HeadlineTargetAdmin(admin.ModelAdmin):
    list_display = ("kpi", "brand", "site", "target", "close_margin")
    list_filter = ("kpi", "brand", "site")
