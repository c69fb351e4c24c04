from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import two_factor
from .exceptions import TwoFactorError
from .forms import LanguageForm, TwoFactorCodeForm
from .middleware import LOGIN_AT_KEY
from .models import AuthEvent
from .security import record_auth_event
from .services import set_user_language

TWO_FACTOR_MAX_FAILURES = 5  # wrong codes in one login before the session is ended
RECOVERY_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


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
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """handler403: log the refusal (user, IP, time) and explain it."""
    record_auth_event(kind=AuthEvent.Kind.PERMISSION_DENIED, request=request, user=getattr(request, "user", None))
    return render(request, "accounts/403.html", status=403)


def _two_factor_page(request, template, form, status=200, **context):
    return render(request, template, {"form": form, **context}, status=status)


@two_factor.two_factor_exempt
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: the secret as text and as a QR code, then the first code."""
    if not two_factor.requires_two_factor(request.user):
        return redirect("home")
    try:
        device = two_factor.start_enrolment(user=request.user)
    except TwoFactorError:
        return redirect_with_next(request, "accounts:two_factor_verify")
    form = TwoFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(user=request.user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            two_factor.mark_verified(request.session, request.user)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect_with_next(request, "accounts:two_factor_recovery_codes", form.cleaned_data["next"])
    if request.method == "POST":
        status = 400
    uri = two_factor.provisioning_uri(device)
    return _two_factor_page(
        request,
        "accounts/two_factor_enrol.html",
        form,
        status,
        secret=device.secret,
        qr_svg=two_factor.qr_code_svg(uri),
    )


@two_factor.two_factor_exempt
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the authenticator or a recovery code."""
    if not two_factor.requires_two_factor(request.user) or two_factor.is_verified(request):
        return HttpResponseRedirect(_safe_next(request, request.GET.get("next", "")))
    form = TwoFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method != "POST":
        return _two_factor_page(request, "accounts/two_factor_verify.html", form)
    if form.is_valid():
        try:
            two_factor.verify_second_factor(user=request.user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            request.session.cycle_key()
            two_factor.mark_verified(request.session, request.user)
            return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
        record_auth_event(kind=AuthEvent.Kind.TWO_FACTOR_FAILED, request=request, user=request.user)
        if _two_factor_failures(request) >= TWO_FACTOR_MAX_FAILURES:
            logout(request)
            messages.error(request, _("Too many wrong codes: log in again."))
            return redirect("accounts:login")
    return _two_factor_page(request, "accounts/two_factor_verify.html", form, status=400)


@two_factor.two_factor_exempt
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after the enrolment."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("home")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "codes": codes,
            "next": _safe_next(request, request.GET.get("next", "")),
        },
    )


def redirect_with_next(request: HttpRequest, name: str, next_url: str = "") -> HttpResponse:
    next_url = next_url or request.GET.get("next", "")
    url = reverse(name)
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        url = f"{url}?{QueryDict.fromkeys(['next'], next_url).urlencode()}"
    return HttpResponseRedirect(url)


def _two_factor_failures(request: HttpRequest) -> int:
    since = datetime.fromtimestamp(request.session.get(LOGIN_AT_KEY, 0), tz=UTC)
    return AuthEvent.objects.filter(user=request.user, kind=AuthEvent.Kind.TWO_FACTOR_FAILED, at__gte=since).count()
