from django.urls import path

from . import breakdown_views, kiosk_views, parts_views, views, web_request_views

app_name = "appointments"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/live/", views.desk_live, name="desk_live"),
    path("desk/week/", views.desk_week, name="desk_week"),
    path("desk/new-customer/", views.desk_new_customer, name="desk_new_customer"),
    path("desk/breakdown/", breakdown_views.breakdown_call, name="breakdown"),
    path("desk/breakdown/live/", breakdown_views.breakdown_live, name="breakdown_live"),
    path("diary/", views.diary, name="diary"),
    path("reception/", views.reception_display, name="reception"),
    path("reception/screens/", kiosk_views.screens, name="reception_screens"),
    path("reception/screens/new/", kiosk_views.screen_create, name="reception_screen_create"),
    path("reception/screens/<int:pk>/revoke/", kiosk_views.screen_revoke, name="reception_screen_revoke"),
    path("screen/<str:key>/", kiosk_views.kiosk, name="kiosk"),
    path("preparation/", views.preparation, name="preparation"),
    path("parts-requests/", parts_views.part_requests, name="part_requests"),
    path("parts-requests/<int:pk>/ordered/", parts_views.part_request_ordered, name="part_request_ordered"),
    path("loaners/<int:pk>/confirm/", views.confirm_loaner, name="confirm_loaner"),
    path("requests/", web_request_views.web_requests, name="web_requests"),
    path("requests/new/", web_request_views.web_request_new, name="web_request_new"),
    path("requests/<int:pk>/", web_request_views.web_request, name="web_request"),
    path("requests/<int:pk>/answer/", web_request_views.web_request_answer, name="web_request_answer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/arrived/", views.arrived, name="arrived"),
    path("<int:pk>/no-show/", views.no_show, name="no_show"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/booking-card.pdf", views.booking_card, name="booking_card"),
    path("<int:pk>/loan-contract.pdf", views.loan_contract, name="loan_contract"),
    path("<int:pk>/parts/reserve/", views.reserve_part, name="reserve_part"),
    path("<int:pk>/parts/request/", views.request_part, name="request_part"),
    path("<int:pk>/parts/warn/", parts_views.warn_parts_delay, name="warn_parts_delay"),
    path("<int:pk>/bin-label.pdf", views.bin_label, name="bin_label"),
    path("b/<str:token>/", views.public_page, name="public"),
    path("b/<str:token>/appointment.ics", views.public_ics, name="public_ics"),
]
