from django.contrib import admin
from django.urls import include, path

from aftersales.accounts import views as account_views

# Refused pages are logged (user, IP, time) before the friendly 403 page.
handler403 = "aftersales.accounts.views.permission_denied"
# The database unreachable: 503 with a short page saying to retry (any other error: the usual 500).
handler500 = "aftersales.lib.failures.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("aftersales.accounts.urls")),
    path("customers/", include("aftersales.customers.urls")),
    path("messaging/", include("aftersales.messaging.urls")),
    path("appointments/", include("appointments.urls")),
    path("book/", include("appointments.online_urls")),
    path("followup/", include("followup.urls")),
    path("workshop/", include("workshop.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("kpis/", include("kpis.urls")),
    path("bench/", include("aftersales.bench.urls")),
    path("admin/", admin.site.urls),
]
