"""Access checks every staff view goes through.

``staff_view("app.perm")`` marks the view with the permission it needs (the
role × URL matrix test reads ``view.required_permissions``) and answers 403 to
anyone without it. Records of another site answer 404 through
``get_for_user``.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404


def staff_view(*permissions: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permissions = permissions
        return wrapper

    return decorator


def visible_to(queryset: QuerySet, user, site_field: str = "site") -> QuerySet:
    """Only the rows of the sites this user works at."""
    return queryset.filter(**{f"{site_field}__in": user.visible_sites()})


def get_for_user(queryset: QuerySet, user, site_field: str = "site", **lookup) -> Model:
    """The record if it belongs to one of the user's sites, else 404."""
    return get_object_or_404(visible_to(queryset, user, site_field), **lookup)
