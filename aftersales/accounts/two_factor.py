"""Two-factor login (TOTP, RFC 6238) for managers, cashiers, administrators and superusers.

After the password, ``TwoFactorMiddleware`` sends these users to enrol (a
secret shown as text and as a QR code) or to type the current code before any
other page; the session then remembers that this user passed. Codes are
accepted once (a replayed code is refused); ten recovery codes, kept hashed,
stand in for a lost phone; an administrator can reset a user's second factor.
"""

import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aftersales.audit.services import record_change

from .exceptions import TwoFactorError
from .models import RecoveryCode, TwoFactorDevice, User

SESSION_KEY = "two_factor_verified_for"
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1  # one 30-second step either side, for clocks a little apart
# Pages a user who still owes the second factor may open.
EXEMPT_VIEW_NAMES = {"accounts:logout", "admin:logout", "accounts:language"}


def requires_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or bool(user.role_names() & set(settings.TWO_FACTOR_ROLES))


def is_verified(request) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def mark_verified(session, user) -> None:
    session[SESSION_KEY] = user.pk


def two_factor_exempt(view):
    """Mark a view the user may open before passing the second factor."""
    view.two_factor_exempt = True
    return view


def provisioning_uri(device: TwoFactorDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.get_username(), issuer_name=settings.TWO_FACTOR_ISSUER)


def qr_code_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup, drawn on the server."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _use_totp(device: TwoFactorDevice, code: str) -> bool:
    step = _matching_step(device.secret, code, timezone.now())
    if step is None or (device.last_used_step is not None and step <= device.last_used_step):
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


def _new_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=make_password(_clean(code))) for code in codes)
    return codes


@transaction.atomic
def start_enrolment(*, user: User) -> TwoFactorDevice:
    """The user's authenticator to set up: a new secret, or the one not yet confirmed."""
    device, _created = TwoFactorDevice.objects.select_for_update().get_or_create(
        user=user,
        defaults={"secret": pyotp.random_base32()},
    )
    if device.confirmed_at is not None:
        raise TwoFactorError(TwoFactorError.default_message)
    return device


@transaction.atomic
def confirm_enrolment(*, user: User, code: str) -> list[str]:
    """Accept the first code from the new authenticator; return the recovery codes (shown once)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None or not _use_totp(device, _clean(code)):
        raise TwoFactorError
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    record_change(actor=user, obj=user, action="update", changes={"two_factor": [None, "enrolled"]})
    return _new_recovery_codes(user)


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> None:
    """Check a code from the authenticator, or use up one recovery code; raise TwoFactorError if neither."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    cleaned = _clean(code)
    if device is None:
        raise TwoFactorError
    if cleaned.isdigit() and _use_totp(device, cleaned):
        return
    for recovery in user.recovery_codes.select_for_update().filter(used_at__isnull=True).order_by("pk"):
        if check_password(cleaned, recovery.code_hash):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            record_change(actor=user, obj=user, action="update", changes={"two_factor": [None, "recovery code used"]})
            return
    raise TwoFactorError


@transaction.atomic
def reset_two_factor(*, user: User, reset_by: User) -> None:
    """An administrator's reset: the user enrols a new authenticator at the next login."""
    TwoFactorDevice.objects.filter(user=user).delete()
    user.recovery_codes.all().delete()
    record_change(actor=reset_by, obj=user, action="update", changes={"two_factor": ["enrolled", "reset"]})


class TwoFactorMiddleware:
    """Send users who owe the second factor to enrol or verify before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(request) or not requires_two_factor(user):
            return None
        if getattr(view_func, "login_required", True) is False or getattr(view_func, "two_factor_exempt", False):
            return None
        if request.resolver_match is not None and request.resolver_match.view_name in EXEMPT_VIEW_NAMES:
            return None
        enrolled = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        target = reverse("accounts:two_factor_verify" if enrolled else "accounts:two_factor_enrol")
        return redirect_to_login(request.get_full_path(), target)
