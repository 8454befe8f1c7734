# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue reports page (A/R aging, days in A/R, denial rates, payments
by month, with their charts) and each report's CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.services import log_action
from openiop.reports import selectors, tables
from openiop.reports.forms import ReportFilterForm
from openiop.reports.permissions import REPORTS_VIEW

# Cells a spreadsheet would run as a formula (a payer named "=HYPERLINK(...)").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _form(request: HttpRequest) -> ReportFilterForm:
    user = staff_user(request)
    return ReportFilterForm(request.GET or None, site_ids=user.site_ids(), today=timezone.localdate())


def _tables(user: Any, filters: selectors.ReportFilters) -> dict[str, Any]:
    aging = selectors.ar_aging(user, filters)
    days = selectors.days_in_ar(user, filters, aging)
    denials = selectors.denial_rates(user, filters)
    months = selectors.payments_by_month(user, filters)
    by_payer, by_carc = tables.denials_tables(denials)
    return {
        "aging": tables.aging_table(aging),
        "aging_chart": tables.aging_chart(aging),
        "aging_patients": aging.patients_included,
        "days": tables.days_table(days),
        "days_explanation": days.explanation,
        "denials_payer": by_payer,
        "denials_carc": by_carc,
        "denials_chart": tables.denials_chart(denials),
        "payments": tables.payments_table(months),
        "payments_chart": tables.payments_chart(months),
    }


@require_action(REPORTS_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    failed = form.is_bound and not form.is_valid()
    context: dict[str, Any] = {"form": form, "filter_failed": failed, "querystring": request.GET.urlencode()}
    if not failed:
        filters = form.filters()
        context.update(_tables(request.user, filters), filters=filters)
    return render(request, "reports/index.html", context, status=400 if failed else 200)


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@require_action(REPORTS_VIEW)
@require_GET
def export(request: HttpRequest, report: str) -> HttpResponse:
    """One report as CSV, with the page's filters. Aggregate rows only (no
    patient is named), but it is money leaving the system: audited."""
    if report not in tables.REPORTS:
        raise Http404("No such report")
    form = _form(request)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items())
        return HttpResponse(f"The filters could not be read ({errors}); nothing was exported.", status=400)
    filters = form.filters()
    found = _tables(request.user, filters)
    chosen = {
        "aging": [found["aging"]],
        "days": [found["days"]],
        "denials": [found["denials_payer"], found["denials_carc"]],
        "payments": [found["payments"]],
    }[report]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = 0
    for index, table in enumerate(chosen):
        if index:
            writer.writerow([])
        for row in table.csv_rows():
            writer.writerow([_safe(cell) for cell in row])
            rows += 1
    log_action("reports.export", data={"report": report, "filters": filters.as_dict(), "rows": rows})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="openiop-{report}-{stamp}.csv"'
    return response
