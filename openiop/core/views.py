# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from openiop.accounts.models import User
from openiop.accounts.permissions import DASHBOARD_VIEW
from openiop.audit.services import log_action, log_read
from openiop.core import navigation
from openiop.core.access import has_action
from openiop.core.models import WorkerHeartbeat
from openiop.core.reads import log_list_read

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


def read_restricted_or_404(
    queryset: models.QuerySet[_M],
    request: HttpRequest,
    action: str,
    *,
    view: str,
    data: dict[str, Any] | None = None,
    **lookup: Any,
) -> _M:
    """get_restricted_or_404 for a page that shows the record: restricts,
    fetches and logs the read (``record.read`` with ``data["view"] = VIEW``)
    in one call, so a page cannot show a patient's record without the event.

    Logged on every method: a POST fetches the record to change it or to show
    the form again with its errors, and either way the user saw it.
    """
    record = get_restricted_or_404(queryset, request, action, **lookup)
    log_read(record, data={"view": view, **(data or {})})
    return record


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (views behind require_action only)."""
    user = request.user
    assert isinstance(user, User)
    return user


def attach_error(request: HttpRequest, form: forms.BaseForm | None, error: ValidationError) -> None:
    """A service's ValidationError on the page: field errors beside their
    fields, the rest at the top of the form (or as a message without one).
    Unlike form.add_error(None, error) it accepts keys that are not fields."""
    if form is not None and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if form is not None:
        form.add_error(None, error)
    else:
        for message in error.messages:
            messages.error(request, message)


@never_cache
@require_action(DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    # Through the matrix like every other page: withdrawing "dashboard.view"
    # from a role must close the page, not only hide its menu entry.
    user = staff_user(request)
    sections = navigation.dashboard_sections(request)
    # Sections come from every app; whatever patients or inquiries they hand
    # the page are named in one read event, so a new section cannot skip it.
    log_list_read("dashboard", [section.context for section in sections])
    return render(
        request,
        "core/dashboard.html",
        {"sections": sections, "sites": navigation.dashboard_sites(user), "has_role": user.roles.exists()},
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable, migrations applied, worker heartbeat recent.

    Answers 200 only when all three hold, so a load balancer can act on it.
    """
    checks: dict[str, dict[str, Any]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:  # any database error means unhealthy
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    if checks["database"]["ok"]:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = {"ok": not pending, "pending": len(pending)}
        newest = WorkerHeartbeat.objects.order_by("-last_seen").first()
        if newest is None:
            checks["worker"] = {"ok": False, "last_seen": None}
        else:
            age = (timezone.now() - newest.last_seen).total_seconds()
            checks["worker"] = {
                "ok": age <= settings.OPENIOP_WORKER_STALE_SECONDS,
                "last_seen": newest.last_seen.isoformat(),
                "age_seconds": round(age),
            }
    healthy = all(check["ok"] for check in checks.values()) and len(checks) == 3
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
