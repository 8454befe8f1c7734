# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from openiop.audit.filters import AuditEventFilter
from openiop.audit.guards import require_action
from openiop.audit.models import AuditEvent, AuditSeal
from openiop.audit.permissions import AUDIT_EXPORT, AUDIT_VIEW
from openiop.audit.services import log_action

CSV_COLUMNS = [
    "id",
    "occurred_at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "patient_id",
    "site_id",
    "ip",
    "request_id",
    # Blank for an event the sealer has not reached yet (a few seconds).
    "seal_seq",
    "seal_hash",
]


def _filtered(request: HttpRequest, action: str) -> AuditEventFilter:
    queryset = AuditEvent.objects.restrict(request.user, action).order_by("-id")
    return AuditEventFilter(request.GET or None, queryset=queryset)


@require_action(AUDIT_VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request, AUDIT_VIEW)
    events = filterset.qs if filterset.is_bound is False or filterset.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode()},
    )


# A spreadsheet runs a cell that starts with one of these as a formula; object
# names and user names are typed by people, so the export defuses them.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _csv_row(event: AuditEvent) -> list[object]:
    try:
        seal: AuditSeal | None = event.seal
    except AuditSeal.DoesNotExist:
        seal = None
    own = [getattr(event, column) for column in CSV_COLUMNS[:-2]]
    return [*own, seal.seq if seal else "", seal.hash if seal else ""]


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_action(AUDIT_EXPORT)
def event_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    filterset = _filtered(request, AUDIT_EXPORT)
    if filterset.is_bound and not filterset.is_valid():
        return render(
            request, "audit/event_list.html", {"filter": filterset, "page": None, "querystring": ""}, status=400
        )
    # Export what existed when asked: without the bound, the file would also
    # hold this export's own event (and any written while it streams), and
    # disagree with the row count the export event records.
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    events = filterset.qs.filter(id__lte=newest)
    log_action("audit.export", data={"filters": dict(request.GET.items()), "rows": events.count()})
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for event in events.select_related("seal").iterator(chunk_size=2000):
            yield writer.writerow([_csv_cell(value) for value in _csv_row(event)])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="openiop-audit-{stamp}.csv"'
    return response
