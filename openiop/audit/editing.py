# SPDX-License-Identifier: AGPL-3.0-or-later
"""One shape for a page that edits a record under optimistic locking.

The view fetches the record through the access path (restricted, read logged)
and builds its form; ``edit_with_version`` does the rest, the same way on
every such page:

- the form carries, hidden, the version the record was opened at;
- a valid POST calls ``save(expected_version)``, the service that locks the
  row and refuses with ``StaleEditError`` when someone saved since;
- a stale save keeps what the user typed, says who saved first and when (from
  the audit log), and is itself audited (``edit.stale``); nothing is saved;
- any other ValidationError lands beside its field or at the top of the form.

    return edit_with_version(
        request, form, record=coverage, version=coverage.version,
        save=lambda expected: services.coverage_update(..., expected_version=expected),
        saved=lambda _: redirect_with_message(...),
        page=lambda: render(request, "insurance/coverage_form.html", {...}),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.audit.models import AuditEvent
from openiop.audit.services import log_action
from openiop.core.locking import StaleEditError
from openiop.core.views import attach_error

Saved = TypeVar("Saved")

VERSION_FIELD = "version"
# Events that describe looking at a record or being refused it, not changing it.
NOT_CHANGES = ("record.read", "access.denied", "edit.stale")


def last_change(record: models.Model) -> AuditEvent | None:
    """The newest audit event that changed RECORD (who saved it, and when)."""
    events = AuditEvent.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk))
    patient_id = getattr(record, "patient_id", None)
    if patient_id is not None:  # the audit log is indexed by patient; narrow to it first
        events = events.filter(patient_id=str(patient_id))
    return events.exclude(action__in=NOT_CHANGES).select_related("actor").order_by("-id").first()


def changed_by_message(event: AuditEvent) -> str:
    """'Saved by Dana Reyes at 2026-03-05 10:12.' in the site's time."""
    name = (event.actor.get_full_name() if event.actor is not None else "") or event.actor_username
    when = f"{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}"
    if not name:
        return _("Last saved at %(time)s.") % {"time": when}
    return _("Last saved by %(user)s at %(time)s.") % {"user": name, "time": when}


def edit_with_version(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    record: models.Model,
    version: int,
    save: Callable[[int], Saved],
    saved: Callable[[Saved], HttpResponse],
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """Show FORM for RECORD at VERSION, or save it through SAVE.

    The form gets a required hidden ``version`` field when it has none.
    SAVE gets the version the form was opened at and returns what SAVED turns
    into the response after a successful save (usually a redirect). PAGE
    renders the form, again with its errors after a refused save."""
    if VERSION_FIELD not in form.fields:
        form.fields[VERSION_FIELD] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    form.fields[VERSION_FIELD].required = True
    form.initial.setdefault(VERSION_FIELD, version)
    if request.method == "POST" and form.is_valid():
        expected: int = form.cleaned_data[VERSION_FIELD]
        try:
            result = save(expected)
        except StaleEditError as exc:
            form.add_error(None, exc)
            change = last_change(record)
            if change is not None:
                form.add_error(None, changed_by_message(change))
            log_action(
                "edit.stale",
                obj=record,
                data={"view": request.resolver_match.view_name if request.resolver_match else request.path,
                      "expected_version": expected},
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            return saved(result)
    return page()
