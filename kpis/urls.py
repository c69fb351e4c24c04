from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.records, name="records"),
    path("export/", views.export, name="export"),
    path("report.pdf", views.report, name="report"),
]
