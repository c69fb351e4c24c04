"""The reception display: the kiosk page a screen opens by its link, and the managers' page of screen links."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import get_for_user, staff_view

from .kiosk import arrivals_board, create_reception_screen, list_screens, revoke_reception_screen, screen_for_key
from .models import ReceptionScreen

NEW_LINK_SESSION_KEY = "reception_screen_link"


def board_response(request: HttpRequest, template: str, context: dict, *, site, status: int = 200) -> HttpResponse:
    """A reception display page, or only its arrivals for the 30-second refresh (htmx), in the site's time zone."""
    today = timezone.localdate(timezone.now(), site.tz)
    context = {"site": site, "today": today, "arrivals": arrivals_board(site=site, day=today), "refreshed_at": timezone.now(), **context}
    name = f"{template}#arrivals" if request.htmx and not request.htmx.history_restore_request else template
    with timezone.override(site.tz):
        response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
def kiosk(request: HttpRequest, key: str) -> HttpResponse:
    """What a reception screen shows, by its link: no login, no staff menu, nothing personal beyond a first name."""
    screen = screen_for_key(key, now=timezone.now())
    if screen is None:
        response = render(request, "appointments/kiosk_invalid.html", status=404)
        if request.htmx:
            response.headers["HX-Refresh"] = "true"  # the screen reloads and shows this page instead of the arrivals
    else:
        with translation.override(screen.language):
            response = board_response(request, "appointments/kiosk.html", {"screen": screen}, site=screen.site)
            response.headers["Content-Language"] = screen.language
    add_never_cache_headers(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


class ReceptionScreenForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("Site"), queryset=None, empty_label=None)
    name = forms.CharField(
        label=gettext_lazy("Screen"),
        max_length=80,
        help_text=gettext_lazy("Where the screen is, e.g. “Reception, ground floor”."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language shown"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = user.visible_sites().order_by("name")
        self.fields["site"].queryset = sites
        first = sites.first()
        if first is not None and not self.is_bound:
            self.initial.setdefault("site", first.pk)
            self.initial.setdefault("language", first.language)


def _screens_page(request: HttpRequest, form: ReceptionScreenForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "screens": list_screens(user=request.user), "new_link": request.session.pop(NEW_LINK_SESSION_KEY, None)}
    return render(request, "appointments/reception_screens.html", context, status=status)


@staff_view("appointments.view_receptionscreen")
def screens(request: HttpRequest) -> HttpResponse:
    return _screens_page(request, ReceptionScreenForm(user=request.user))


@require_POST
@staff_view("appointments.view_receptionscreen", "appointments.add_receptionscreen")
def screen_create(request: HttpRequest) -> HttpResponse:
    form = ReceptionScreenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _screens_page(request, form, status=400)
    screen, key = create_reception_screen(actor=request.user, **form.cleaned_data)
    request.session[NEW_LINK_SESSION_KEY] = {
        "screen": screen.pk,
        "url": request.build_absolute_uri(reverse("appointments:kiosk", args=[key])),
    }
    messages.success(request, _("Screen link made for “%(name)s”: copy it now, it is shown only once.") % {"name": screen.name})
    return redirect("appointments:reception_screens")


@require_POST
@staff_view("appointments.view_receptionscreen", "appointments.change_receptionscreen")
def screen_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    screen = revoke_reception_screen(screen=get_for_user(ReceptionScreen.objects.all(), request.user, pk=pk), actor=request.user)
    messages.success(request, _("The link of “%(name)s” no longer works.") % {"name": screen.name})
    return redirect("appointments:reception_screens")
