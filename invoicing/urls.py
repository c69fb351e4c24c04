from django.urls import path

from . import lead_views, views

app_name = "invoicing"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("orders/<int:pk>/", views.billing, name="billing"),
    path("orders/<int:pk>/prepare/", views.prepare, name="prepare"),
    path("orders/<int:pk>/payments/", views.payment, name="payment"),
    path("orders/<int:pk>/refund/", views.refund, name="refund"),
    path("orders/<int:pk>/release/", views.release, name="release"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path("invoices/<int:pk>/lines/", views.line_add, name="line_add"),
    path("invoices/<int:pk>/lines/<int:line_pk>/", views.line_change, name="line_change"),
    path("invoices/<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("invoices/<int:pk>/jobs/<int:job_pk>/", views.job_add, name="job_add"),
    path("invoices/<int:pk>/issue/", views.issue, name="issue"),
    path("invoices/<int:pk>/credit/", views.credit, name="credit"),
    path("invoices/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("invoices/<int:pk>/factur-x.xml", views.facturx, name="facturx"),
    path("closures/", views.closures, name="closures"),
    path("closures/<int:pk>/archive/", views.archive, name="archive"),
    path("accounting/", views.accounting, name="accounting"),
    path("handover/", views.handovers, name="handovers"),
    path("handover/<int:pk>/", views.handover, name="handover"),
    path("handover/<int:pk>/arrived/", views.arrived, name="arrived"),
    path("handover/<int:pk>/welcome/", views.welcome, name="welcome"),
    path("handover/<int:pk>/loaner/", views.loaner_return, name="loaner_return"),
    path("handover/<int:pk>/test-drive/", views.test_drive, name="test_drive"),
    path("handover/<int:pk>/explain/", views.explain, name="explain"),
    path("handover/<int:pk>/code/", views.send_code, name="send_code"),
    path("handover/<int:pk>/see-off/", views.see_off, name="see_off"),
    # sales leads (test drives passed to a salesperson)
    path("leads/", lead_views.sales_leads, name="sales_leads"),
    path("leads/<int:pk>/status/", lead_views.sales_lead_move, name="sales_lead_move"),
]
