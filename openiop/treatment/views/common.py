# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from openiop.accounts.models import User
from openiop.accounts.roles import CLINICAL_ROLES
from openiop.sites.models import Site


def attach_error(request: HttpRequest, form: forms.BaseForm | None, error: ValidationError) -> None:
    """Field errors beside their fields, the rest at the top of the form (or
    as a message when there is no form)."""
    if form is not None and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if form is not None:
        form.add_error(None, error)
    else:
        for message in error.messages:
            messages.error(request, message)


def clinical_staff(site_ids: list[int] | Any) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, sites__in=site_ids, roles__code__in=CLINICAL_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


def user_sites(user: Any) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=user.site_ids()).order_by("name")


def actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
