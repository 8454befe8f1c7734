# SPDX-License-Identifier: AGPL-3.0-or-later
"""Django's admin, with every page that shows records audited.

Administrators read staff accounts, sites, roles and configuration here; each
such page view leaves one ``record.read`` event, like the application's own
pages. The hook is the site's ``admin_view``, which wraps every view of every
registered ModelAdmin (ours and third-party ones such as django-axes'), so a
newly registered model cannot skip it.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse


class AuditedAdminConfig(AdminConfig):
    """Stands in for "django.contrib.admin" in INSTALLED_APPS."""

    default_site = "openiop.audit.admin_site.AuditedAdminSite"


def _admin_read(model_admin: admin.ModelAdmin[Any], view: str, response: TemplateResponse) -> None:
    from openiop.audit.reads import shown_records
    from openiop.audit.services import log_action, log_read

    context = response.context_data or {}
    data: dict[str, Any] = {"view": f"admin.{view}", "model": model_admin.model._meta.label_lower}
    record = context.get("original") or context.get("object")
    if isinstance(record, models.Model):
        log_read(record, data=data)
        return
    changelist = context.get("cl")
    if changelist is None:
        return  # the add form and other pages that show no stored record
    rows = list(changelist.result_list)
    shown = shown_records(rows)
    data["ids"] = [str(row.pk) for row in rows]
    if shown.patients:
        data["patients"] = sorted(shown.patients)
    if shown.inquiries:
        data["inquiries"] = sorted(shown.inquiries)
    log_action("record.read", data=data)


class AuditedAdminSite(admin.AdminSite):
    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if not isinstance(model_admin, admin.ModelAdmin):
            return inner  # the index, app lists, login, logout: no records

        @functools.wraps(inner)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response: HttpResponseBase = inner(request, *args, **kwargs)
            # A page that is shown: the change form, the list, the history,
            # the delete confirmation (all template responses).
            if isinstance(response, TemplateResponse) and response.status_code == 200 and request.method == "GET":
                _admin_read(model_admin, view.__name__, response)
            return response

        return audited
