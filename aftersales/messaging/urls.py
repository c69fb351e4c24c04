from django.urls import path

from . import unsubscribe_views, views

app_name = "messaging"

urlpatterns = [
    path("", views.message_log, name="log"),
    path("customer/<int:customer_id>/", views.customer_messages, name="customer_log"),
    path("<int:pk>/", views.message_detail, name="message_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/handled/", views.inbox_handle, name="inbox_handle"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    # Public: Twilio calls these; the X-Twilio-Signature is checked instead of a login.
    path("webhooks/twilio/status/", views.twilio_status, name="twilio_status"),
    path("webhooks/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
    # Public: the customer's unsubscribe page and the mail program's one-click POST (a signed link, no login).
    path("unsubscribe/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
]
