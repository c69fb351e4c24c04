from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import LanguageForm
from .services import set_user_language


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html")


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("home") if request.user.is_authenticated else reverse("accounts:login")


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language: on the profile when signed in, in a cookie always."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseRedirect(_safe_next(request, request.POST.get("next", "")))
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        set_user_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=365 * 24 * 3600, secure=settings.LANGUAGE_COOKIE_SECURE, httponly=True, samesite="Lax",
    )
    return response
