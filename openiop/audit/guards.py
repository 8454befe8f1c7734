# SPDX-License-Identifier: AGPL-3.0-or-later
"""The access checks a view makes, each refusal audited (``access.denied``).

They live in audit, not core, because a refusal is an audit event: the
ground floor (core.access) answers who may do what; these answer the
request and leave the trace.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from openiop.audit.services import log_action
from openiop.core.access import has_action

_M = TypeVar("_M", bound=models.Model)
ViewFunc = Callable[..., HttpResponseBase]


def require_action(action: str) -> Callable[[ViewFunc], ViewFunc]:
    """Signed-in users whose roles grant ACTION; everyone else is refused
    (anonymous: to the login page; signed in without the grant: 403)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_action(request.user, action):
                log_action("access.denied", data={"action": action, "path": request.path})
                raise PermissionDenied(action)
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def get_restricted_or_404(queryset: models.QuerySet[_M], request: HttpRequest, action: str, **lookup: Any) -> _M:
    """One record the user may reach with ACTION, else 404.

    A record that exists but lies outside the user's reach is answered exactly
    like one that does not exist, and the attempt is audited.
    """
    restricted = queryset.restrict(request.user, action)  # type: ignore[attr-defined]
    try:
        return restricted.get(**lookup)  # type: ignore[no-any-return]
    except ObjectDoesNotExist:
        target = queryset.model._default_manager.filter(**lookup).first()
        if target is not None:
            log_action("access.denied", obj=target, data={"action": action, "path": request.path})
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
