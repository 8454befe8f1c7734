# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read events: one record shown (``read_restricted_or_404``), or many.

A page that shows one record logs its read through
``read_restricted_or_404``. A page that shows many (the
patient list and search results, the safety-alert list, the admissions
board, the dashboards) logs ONE event per page view naming everyone it
shows, ``data={"view": ..., "patients": [...], "inquiries": [...]}``: one
insert, whatever the number of rows, and the audit log's patient filter can
still answer "who saw this patient's name on a list".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal, TypeVar

from django.core.paginator import Page
from django.db import models
from django.http import HttpRequest

from openiop.audit.guards import get_restricted_or_404
from openiop.audit.models import AuditEvent
from openiop.audit.services import log_action, log_read

_M = TypeVar("_M", bound=models.Model)

# Dashboard contexts nest a few levels (a section's dict holds lists of rows,
# a row may be a dataclass holding the episode and its patient).
_MAX_DEPTH = 4

ListedKind = Literal["patients", "inquiries"]

# The records a list read names by themselves, filled by the apps that own
# them (patients, admissions) from their apps.py ``ready()``: audit imports no
# app above it (openiop/core/tests/test_layers.py).
_LISTED_MODELS: dict[type[models.Model], ListedKind] = {}


def register_listed_model(model: type[models.Model], kind: ListedKind) -> None:
    """Records of MODEL shown on a page are named in its read event under KIND."""
    _LISTED_MODELS[model] = kind


@dataclasses.dataclass
class Shown:
    patients: set[int] = dataclasses.field(default_factory=set)
    inquiries: set[int] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.patients or self.inquiries)


def _add_record(record: models.Model, shown: Shown) -> None:
    kind = _LISTED_MODELS.get(type(record)._meta.concrete_model or type(record))
    if kind == "patients":
        shown.patients.add(record.pk)
        return
    if kind == "inquiries":
        shown.inquiries.add(record.pk)
    # The plain column first: audit_patient_id may follow relations (a query per row).
    patient_id = getattr(record, "patient_id", None)
    if patient_id is None:
        patient_id = getattr(record, "audit_patient_id", None)
    if patient_id is not None:
        shown.patients.add(int(patient_id))


def shown_records(value: Any, shown: Shown | None = None, depth: int = 0) -> Shown:
    """The patients and inquiries in VALUE: a record, or lists, dicts,
    dataclasses and paginator pages holding records. Records are not followed
    into their own relations: only what the page was handed counts."""
    shown = shown if shown is not None else Shown()
    if depth > _MAX_DEPTH or value is None or isinstance(value, str | bytes | int | float | bool):
        return shown
    if isinstance(value, models.Model):
        _add_record(value, shown)
    elif isinstance(value, Page):
        shown_records(list(value.object_list), shown, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            shown_records(item, shown, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            shown_records(getattr(value, field.name), shown, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            shown_records(item, shown, depth + 1)
    return shown


def log_list_read(view: str, records: Iterable[Any] | Any, *, data: dict[str, Any] | None = None) -> AuditEvent | None:
    """One ``record.read`` event naming every patient and inquiry in RECORDS
    (see ``shown_records``), or nothing when the page showed none. Pass what
    the page renders (the paginated page, not the whole queryset)."""
    shown = shown_records(list(records) if isinstance(records, models.QuerySet) else records)
    if not shown:
        return None
    payload: dict[str, Any] = {"view": view, "patients": sorted(shown.patients)}
    if shown.inquiries:
        payload["inquiries"] = sorted(shown.inquiries)
    return log_action("record.read", data={**payload, **(data or {})})


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
