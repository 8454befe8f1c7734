# SPDX-License-Identifier: AGPL-3.0-or-later
"""Backstop: every create, update and delete of OpenIOP data is audited even
when no service logged it. Clinical actions (admit, sign, revoke consent) are
logged explicitly by their services in addition to this."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest

from openiop.audit.context import set_actor
from openiop.audit.services import log_action

AUDITED_APP_PREFIXES = ("openiop.", "django_otp.")
NOT_AUDITED = {"audit.auditevent", "audit.auditseal", "audit.auditsealer", "core.workerheartbeat"}


def is_audited(model: type[models.Model]) -> bool:
    config = model._meta.app_config
    return (
        config is not None
        and config.name.startswith(AUDITED_APP_PREFIXES)
        and model._meta.label_lower not in NOT_AUDITED
    )


def on_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not is_audited(sender):
        return
    update_fields = kwargs.get("update_fields")
    data = {"fields": sorted(update_fields)} if update_fields else {}
    log_action("record.create" if created else "record.update", obj=instance, data=data)


def on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if is_audited(sender):
        log_action("record.delete", obj=instance)


def on_m2m(
    sender: type[models.Model], instance: models.Model, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"} or not is_audited(type(instance)):
        return
    field = next(
        (f.name for f in type(instance)._meta.many_to_many if getattr(f.remote_field, "through", None) is sender),
        sender._meta.label_lower,
    )
    log_action(
        "record.update",
        obj=instance,
        data={"field": field, "change": action.removeprefix("post_"), "ids": sorted(pk_set or [])},
    )


def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    set_actor(actor_id=user.pk, actor_username=user.get_username())
    log_action("auth.login", actor=user, obj=user)


def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_action("auth.logout", actor=user, obj=user, data={"reason": getattr(request, "logout_reason", "user")})


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    log_action("auth.login_failed", data={"username": str(credentials.get("username", ""))[:150]})


def connect() -> None:
    post_save.connect(on_save, dispatch_uid="openiop_audit_save")
    post_delete.connect(on_delete, dispatch_uid="openiop_audit_delete")
    m2m_changed.connect(on_m2m, dispatch_uid="openiop_audit_m2m")
    user_logged_in.connect(on_login, dispatch_uid="openiop_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="openiop_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="openiop_audit_login_failed")
