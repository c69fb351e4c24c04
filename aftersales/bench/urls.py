from django.urls import path

from . import views

app_name = "bench"

urlpatterns = [
    path("reference/", views.reference, name="reference"),
]
