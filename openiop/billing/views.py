# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing pages: the workspace (charges to review and the insurance work
waiting, filtered; CSV of the filtered charges), fee schedules, and the
concurrent-review packet for an authorization."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.audit.services import log_action
from openiop.billing import packets, selectors
from openiop.billing.forms import ChargeFilter, FeeScheduleEndForm, FeeScheduleForm, ReviewPacketForm, users_sites
from openiop.billing.models import Charge, ChargeStatus, FeeSchedule
from openiop.billing.permissions import BILLING_EXPORT, BILLING_MANAGE, BILLING_REVIEW_PACKET, BILLING_VIEW
from openiop.billing.services import fee_schedule_create, fee_schedule_end
from openiop.core.access import allowed_actions, has_action
from openiop.core.navigation import DashboardSection, RenderedSection
from openiop.core.views import attach_error
from openiop.insurance.models import Authorization
from openiop.privacy.permissions import DISCLOSURES_RECORD
from openiop.privacy.services import DisclosureRefused

CHARGES_PER_PAGE = 50

# Blocks that apps above billing (which billing may not import, e.g. the Good
# Faith Estimate's dispute-right flags) add to the workspace from their
# ready(), shown like dashboard sections to whoever holds their action.
WORKSPACE_SECTIONS: list[DashboardSection] = []


def register_workspace_section(section: DashboardSection) -> None:
    if all(existing.key != section.key for existing in WORKSPACE_SECTIONS):
        WORKSPACE_SECTIONS.append(section)
        WORKSPACE_SECTIONS.sort(key=lambda entry: entry.order)


def _workspace_sections(request: HttpRequest) -> list[RenderedSection]:
    actions = allowed_actions(request.user)
    rendered = []
    for section in WORKSPACE_SECTIONS:
        context = section.context(request) if section.action in actions else None
        if context is not None:
            rendered.append(RenderedSection(key=section.key, template=section.template, context=context))
    return rendered


def _charge_filter(request: HttpRequest, action: str) -> ChargeFilter:
    return ChargeFilter(request.GET or None, queryset=selectors.charge_queryset(request.user, action), request=request)


def _filtered_charges(filterset: ChargeFilter) -> Any:
    """The filtered charges, or None when a filter value is wrong (the form
    then carries the message beside the field)."""
    if not filterset.is_bound:
        # No filter asked for: the charges that stand, as the form's default says.
        return filterset.queryset.exclude(status=ChargeStatus.VOIDED)
    if not filterset.is_valid():
        return None
    return filterset.qs


@require_action(BILLING_VIEW)
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """Charges to review (held with their reasons, ready), authorizations
    running out, eligibility checks due and coverage still to enter, by site,
    payer, status and dates of service."""
    filterset = _charge_filter(request, BILLING_VIEW)
    charges = _filtered_charges(filterset)
    cleaned = filterset.form.cleaned_data if charges is not None and filterset.is_bound else {}
    today = timezone.localdate()
    work = selectors.worklist(request.user, today=today, site=cleaned.get("site"), payer=cleaned.get("payer"))
    page = Paginator(charges if charges is not None else Charge.objects.none(), CHARGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sections = _workspace_sections(request)
    log_list_read(
        "billing_workspace",
        [
            *(section.context for section in sections),
            *page.object_list,
            *(alert.authorization for alert in work.authorizations),
            *(due.coverage for due in work.checks_due),
            *work.to_enter,
        ],
    )
    return render(
        request,
        "billing/workspace.html",
        {
            "filter": filterset,
            "filter_failed": charges is None,
            "page": page,
            "reasons": selectors.reason_counts(charges) if charges is not None else [],
            "work": work,
            "querystring": query.urlencode(),
            "can_export": has_action(request.user, BILLING_EXPORT),
            "can_review_packet": has_action(request.user, BILLING_REVIEW_PACKET),
            "today": today,
            "sections": sections,
        },
    )


# A spreadsheet runs a cell that starts with one of these as a formula; names
# are typed by people, so the export defuses them (as the audit export does).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "charge_id",
    "service_date",
    "patient_mrn",
    "patient_name",
    "site",
    "payer",
    "kind",
    "code",
    "revenue_code",
    "modifiers",
    "units",
    "amount",
    "expected_amount",
    "status",
    "hold_reasons",
    "authorization",
]


def _csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _csv_row(charge: Charge) -> list[object]:
    return [
        charge.pk,
        f"{charge.service_date:%Y-%m-%d}",
        charge.patient.mrn,
        charge.patient.display_name,
        charge.site.code,
        charge.payer.name if charge.payer else "self-pay",
        charge.kind,
        charge.code,
        charge.revenue_code,
        " ".join(charge.modifiers or []),
        charge.units,
        charge.amount,
        charge.expected_amount,
        charge.status,
        "; ".join(charge.hold_reason_texts),
        charge.authorization.number if charge.authorization else "",
    ]


@require_action(BILLING_EXPORT)
@require_GET
def charges_export(request: HttpRequest) -> HttpResponse:
    """The filtered charges as CSV. Exporting is a read of every patient in
    the file: one read event names them all, and the export is audited."""
    filterset = _charge_filter(request, BILLING_EXPORT)
    charges = _filtered_charges(filterset)
    if charges is None:
        messages.error(request, _("The export was not made: correct the filters below."))
        context = {"filter": filterset, "filter_failed": True, "page": None, "work": None, "querystring": ""}
        return render(request, "billing/workspace.html", context, status=400)
    rows = list(charges)
    log_action("billing.export", data={"filters": dict(request.GET.items()), "rows": len(rows)})
    log_list_read("billing_export", rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for charge in rows:
        writer.writerow([_csv_cell(value) for value in _csv_row(charge)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="openiop-charges-{stamp}.csv"'
    return response


@require_action(BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def fee_schedules(request: HttpRequest) -> HttpResponse:
    """The fee schedule: the charge and the expected amount per code, payer
    and site over dates. A price changes by ending its row and adding one;
    charges already made keep the amounts they copied."""
    user = staff_user(request)
    sites = users_sites(request)
    adding = request.method == "POST" and request.POST.get("action") != "end"
    form = FeeScheduleForm(request.POST if adding else None, request=request)
    end_form = FeeScheduleEndForm(request.POST if request.method == "POST" and not adding else None)
    if adding and form.is_valid():
        data = form.cleaned_data
        site = data["site"] or sites.first()
        try:
            if site is None:
                raise ValidationError(_("You work at no site, so there is no program to price for."))
            fee_schedule_create(actor=user, organization=site.organization, **data)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Price added."))
            return HttpResponseRedirect(reverse("billing:fees"))
    elif request.method == "POST" and not adding and end_form.is_valid():
        row = get_restricted_or_404(
            FeeSchedule.objects.filter(organization__in=sites.values("organization")),
            request,
            BILLING_MANAGE,
            pk=request.POST.get("row") if str(request.POST.get("row", "")).isdigit() else 0,
        )
        try:
            fee_schedule_end(actor=user, row=row, last_day=end_form.cleaned_data["last_day"])
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Price ended."))
            return HttpResponseRedirect(reverse("billing:fees"))
    elif request.method == "POST" and not adding:
        messages.error(request, _("Give the last day in force as a date, e.g. 2026-06-30."))
    rows = (
        FeeSchedule.objects.restrict(user, BILLING_MANAGE)
        .filter(organization__in=sites.values("organization"))
        .select_related("payer", "site")
        .order_by("payer__name", "code", "-effective_from", "pk")
    )
    return render(
        request,
        "billing/fee_schedules.html",
        {"form": form, "rows": rows, "today": timezone.localdate()},
    )


def _review_request(data: dict[str, object]) -> packets.ReviewRequest:
    return packets.ReviewRequest(
        reviewer_name=str(data["reviewer_name"]),
        channel=str(data["channel"]),
        period_start=data["period_start"],  # type: ignore[arg-type]
        period_end=data["period_end"],  # type: ignore[arg-type]
        justification=str(data["justification"]),
        clinician=str(data["clinician"]),
    )


@require_action(BILLING_REVIEW_PACKET)
@require_http_methods(["GET", "POST"])
def review_packet(request: HttpRequest, pk: int) -> HttpResponse:
    """Build the concurrent-review packet for an authorization: fill in the
    justification, preview what the gate would let go, release it (recorded
    as a disclosure for payment; the PDF is then downloaded and sent)."""
    authorization = read_restricted_or_404(
        Authorization.objects.select_related("patient__organization", "coverage__payer", "episode__site"),
        request,
        BILLING_REVIEW_PACKET,
        view="billing_review_packet",
        pk=pk,
    )
    user = staff_user(request)
    start, end = packets.default_period(authorization, timezone.localdate())
    form = ReviewPacketForm(
        request.POST or None,
        initial={
            "channel": "fax",
            "period_start": start,
            "period_end": end,
            "clinician": user.get_full_name() or user.get_username(),
        },
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        review = _review_request(form.cleaned_data)
        try:
            packets.check_request(review)
            if request.POST.get("action") == "release":
                release = packets.packet_release(actor=user, authorization=authorization, request=review)
                messages.success(request, _("Packet built and the disclosure recorded. Download it and send it."))
                if has_action(user, DISCLOSURES_RECORD):
                    return HttpResponseRedirect(reverse("privacy:release", args=[release.patient_id, release.pk]))
                return HttpResponseRedirect(reverse("billing:review_packet", args=[authorization.pk]))
            preview = packets.preview(authorization, review)
        except DisclosureRefused as exc:
            messages.error(request, _("Refused: %(reason)s") % {"reason": exc.decision.message})
        except ValidationError as exc:
            attach_error(request, form, exc)
    return render(
        request,
        "billing/review_packet.html",
        {
            "authorization": authorization,
            "patient": authorization.patient,
            "form": form,
            "preview": preview,
            "information": packets.REVIEW_INFORMATION,
        },
    )
