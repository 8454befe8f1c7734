# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.access import has_action
from openiop.admissions import pipeline, selectors, services
from openiop.admissions.forms import InquiryForm, MoveForm
from openiop.admissions.models import Inquiry
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_MANAGE, ADMISSIONS_VIEW
from openiop.audit.services import log_read
from openiop.core.views import get_restricted_or_404, require_action
from openiop.patients.models import Patient
from openiop.patients.permissions import PATIENT_VIEW
from openiop.patients.services import StaleEditError
from openiop.sites.models import Site
from openiop.sites.permissions import SITE_VIEW

REPORT_PERIODS = {"90": 90, "365": 365, "all": None}


@require_action(ADMISSIONS_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.restrict(request.user, SITE_VIEW)
    site_id: int | None = None
    raw_site = request.GET.get("site", "")
    if raw_site.isdigit() and sites.filter(pk=int(raw_site)).exists():
        site_id = int(raw_site)
    columns = selectors.inquiry_board(user=request.user, site_id=site_id)
    context = {
        "columns": columns,
        "sites": sites,
        "site_id": site_id,
        "final_window_days": selectors.FINAL_WINDOW_DAYS,
        "can_create": has_action(request.user, ADMISSIONS_CREATE),
    }
    return render(request, "admissions/board.html", context)


def _visible_ids(request: HttpRequest, model: Any, action: str, objects: list[Any]) -> set[int]:
    pks = [obj.pk for obj in objects]
    if not pks:
        return set()
    return set(model.objects.restrict(request.user, action).filter(pk__in=pks).values_list("pk", flat=True))


@require_action(ADMISSIONS_CREATE)
@require_http_methods(["GET", "POST"])
def inquiry_create(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.restrict(request.user, SITE_VIEW)
    form = InquiryForm(request.POST or None, sites=sites)
    duplicates = services.Duplicates()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.possible_duplicates(
            phone=data["phone"], first_name=data["first_name"], last_name=data["last_name"],
            birth_date=data["birth_date"],
        )  # fmt: skip
        if duplicates and not data.get("confirm_not_duplicate"):
            form.add_error(
                "confirm_not_duplicate",
                _("This may be someone we already know. Check the matches above, then tick this box to save anyway."),
            )
        else:
            try:
                inquiry = services.inquiry_create(
                    actor=request.user,  # type: ignore[arg-type]
                    site=data["site"],
                    **form.inquiry_fields(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Inquiry for %(name)s logged.") % {"name": inquiry.person_name})
                return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    context = {
        "form": form,
        "duplicates": duplicates,
        "visible_patient_ids": _visible_ids(request, Patient, PATIENT_VIEW, duplicates.patients),
        "visible_inquiry_ids": _visible_ids(request, Inquiry, ADMISSIONS_VIEW, duplicates.inquiries),
    }
    return render(request, "admissions/inquiry_form.html", context)


def _linkable_patients(request: HttpRequest, inquiry: Inquiry) -> Any:
    """Existing charts the user may see that look like this person: the
    navigator may admit by linking one rather than registering a duplicate."""
    matches = services.possible_duplicates(
        phone=inquiry.phone, first_name=inquiry.first_name, last_name=inquiry.last_name,
        birth_date=inquiry.birth_date, exclude_pk=inquiry.pk,
    )  # fmt: skip
    return Patient.objects.restrict(request.user, PATIENT_VIEW).filter(pk__in=[p.pk for p in matches.patients])


def _detail(request: HttpRequest, inquiry: Inquiry, form: MoveForm | None, status: int = 200) -> HttpResponse:
    context = {
        "inquiry": inquiry,
        "history": list(inquiry.stage_changes.all()),
        "form": form,
        "allowed": pipeline.allowed_moves(inquiry.stage),
    }
    return render(request, "admissions/inquiry_detail.html", context, status=status)


@require_action(ADMISSIONS_VIEW)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_VIEW, pk=pk)
    log_read(inquiry, data={"view": "inquiry"})
    form = None
    if inquiry.is_open and has_action(request.user, ADMISSIONS_MANAGE):
        form = MoveForm(inquiry=inquiry, linkable_patients=_linkable_patients(request, inquiry))
    return _detail(request, inquiry, form)


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_move(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_MANAGE, pk=pk)
    linkable = _linkable_patients(request, inquiry)
    form = MoveForm(request.POST or None, inquiry=inquiry, linkable_patients=linkable)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry"})
        return _detail(request, inquiry, form if inquiry.is_open else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.inquiry_move(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                to_stage=data["to_stage"],
                expected_version=data["version"],
                reason=data["closed_reason"],
                referred_to=data["referred_to"],
                note=data["note"],
                existing_patient=data.get("existing_patient"),
            )
        except pipeline.MoveRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except StaleEditError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if moved.stage == pipeline.ADMITTED and moved.patient is not None:
                messages.success(
                    request,
                    _("Admitted: chart %(mrn)s is linked. Open an episode of care from the chart.")
                    % {"mrn": moved.patient.mrn},
                )
            else:
                messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.get_stage_display()})
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _detail(request, inquiry, form)


@require_action(ADMISSIONS_VIEW)
def referral_report(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "365")
    if period not in REPORT_PERIODS:
        period = "365"
    days = REPORT_PERIODS[period]
    since = timezone.localdate() - dt.timedelta(days=days) if days else None
    rows = selectors.referral_report(user=request.user, since=since)
    totals = {
        "total": sum(row.total for row in rows),
        "admitted": sum(row.admitted for row in rows),
    }
    return render(
        request, "admissions/referral_report.html", {"rows": rows, "totals": totals, "period": period, "since": since}
    )
