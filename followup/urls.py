from django.urls import path

from . import views
from .selectors import TARGET_LISTS

app_name = "followup"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/record/", views.call_record, name="call_record"),
    path("calls/<int:pk>/assign/", views.call_assign, name="call_assign"),
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/new/<int:customer_pk>/", views.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/assign/", views.concern_assign, name="concern_assign"),
    *[
        path(f"concerns/<int:pk>/{action.replace('_', '-')}/", views.concern_action, {"action": action}, name=f"concern_{action}")
        for action in views.CONCERN_ACTIONS
    ],
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/handled/", views.escalation_handle, name="escalation_handle"),
    path("complaints/review/", views.complaint_review, name="complaint_review"),
    path("reminders/", views.reminder_list, name="reminders"),
    path("mileage-checks/", views.mileage_check_list, name="mileage_checks"),
    path("mileage-checks/<int:pk>/", views.mileage_check_decide, name="mileage_check_decide"),
    path("r/<str:token>/", views.satisfaction_page, {"source": "quick_touch"}, name="rate"),
    path("survey/<str:token>/", views.satisfaction_page, {"source": "survey"}, name="survey"),
    path("lists/", views.target_lists, name="target_lists"),
    *[
        route
        for key in TARGET_LISTS
        for route in (
            path(f"lists/{key}/", views.target_list, {"key": key}, name=f"list_{key}"),
            path(f"lists/{key}/call/<int:vehicle_pk>/", views.target_list_call, {"key": key}, name=f"list_{key}_call"),
            path(f"lists/{key}/send/", views.target_list_send, {"key": key}, name=f"list_{key}_send"),
        )
    ],
]
