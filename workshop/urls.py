from django.urls import path

from . import views

app_name = "workshop"

urlpatterns = [
    path("reception/", views.board, name="board"),
    path("reception/walk-in/", views.walk_in, name="walk_in"),
    path("reception/appointments/<int:appointment_pk>/arrived/", views.arrived, name="arrived"),
    path("reception/appointments/<int:appointment_pk>/no-show/", views.no_show, name="no_show"),
    path("reception/appointments/<int:appointment_pk>/check-in/", views.check_in, name="check_in"),
    path("orders/", views.work_orders, name="list"),
    path("orders/<int:pk>/", views.detail, name="detail"),
    path("orders/<int:pk>/check-in/<slug:step>/", views.step, name="step"),
    path("orders/<int:pk>/jobs/", views.job_add, name="job_add"),
    path("orders/<int:pk>/jobs/<int:job_pk>/remove/", views.job_remove, name="job_remove"),
    path("orders/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("orders/<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("orders/<int:pk>/sign/", views.sign, name="sign"),
    path("orders/<int:pk>/sign-by-code/", views.request_code, name="request_code"),
    path("orders/<int:pk>/to-workshop/", views.to_workshop, name="to_workshop"),
    path("orders/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("s/<str:token>/", views.customer_sign, name="customer_sign"),
    path("s/<str:token>/new-code/", views.customer_new_code, name="customer_new_code"),
    path("s/<str:token>/pdf/", views.customer_pdf, name="customer_pdf"),
]
