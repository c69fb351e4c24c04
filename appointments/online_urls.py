"""Public online booking and contact pages, mounted at /book/ (no login)."""

from django.urls import path

from . import online_views

app_name = "online"

urlpatterns = [
    path("<slug:site_code>/", online_views.book, name="book"),
    path("<slug:site_code>/code/", online_views.code, name="code"),
    path("<slug:site_code>/details/", online_views.details, name="details"),
    path("<slug:site_code>/services/", online_views.choose, name="choose"),
    path("<slug:site_code>/time/", online_views.slot, name="slot"),
    path("<slug:site_code>/contact/", online_views.contact, name="contact"),
    path("<slug:site_code>/contact/sent/", online_views.contact_sent, name="contact_sent"),
    path("<slug:site_code>/<slug:brand_code>/", online_views.book, name="book_brand"),
    path("<slug:site_code>/<slug:brand_code>/contact/", online_views.contact, name="contact_brand"),
]
