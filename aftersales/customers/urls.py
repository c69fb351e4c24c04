from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/privacy/export/", views.privacy_export, name="privacy_export"),
    path("<int:pk>/privacy/erase/", views.privacy_erase, name="privacy_erase"),
    path("<int:pk>/vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle_detail"),
    path("vehicles/<int:pk>/edit/", views.vehicle_edit, name="vehicle_edit"),
    path("vehicles/<int:pk>/mileage/", views.mileage_add, name="mileage_add"),
]
