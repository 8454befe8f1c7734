# SPDX-License-Identifier: AGPL-3.0-or-later
"""Views and view helpers that need no app: the health check, the error
pages, service errors on a form. The access checks that audit their
refusals are in openiop.audit.guards; the dashboard is in accounts.views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from openiop.core.models import WorkerHeartbeat


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
