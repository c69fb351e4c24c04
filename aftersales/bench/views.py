from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Permission
from django.http import Http404
from django.shortcuts import render

REFERENCE_ROWS = 25


@login_not_required
def reference(request):
    """25 rows (permissions: framework data, nothing personal) read in one query and a tiny template.

    What any page costs at least, through the same middleware and server: ``manage.py bench_pages`` gives each
    page's throughput as a ratio to this one's. Served only with BENCH_REFERENCE_PAGE on (404 otherwise).
    """
    if not settings.BENCH_REFERENCE_PAGE:
        raise Http404
    rows = list(Permission.objects.order_by("pk").values_list("pk", "codename", "name")[:REFERENCE_ROWS])
    return render(request, "bench/reference.html", {"rows": rows})
