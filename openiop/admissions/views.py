# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.admissions import pipeline, selectors, services
from openiop.admissions.forms import (
    STEPS_WITH_THEIR_OWN_FORM,
    InquiryForm,
    MoveForm,
    ReferralSourceForm,
    SelfCheckAcknowledgeForm,
)
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.admissions.permissions import (
    ADMISSIONS_CREATE,
    ADMISSIONS_MANAGE,
    ADMISSIONS_SELFCHECK,
    ADMISSIONS_SOURCES,
    ADMISSIONS_VIEW,
)
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import log_list_read
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.ascii_digits import parse_id
from openiop.core.locking import StaleEditError
from openiop.patients.models import Patient
from openiop.patients.permissions import PATIENT_VIEW
from openiop.sites.models import Site
from openiop.sites.permissions import SITE_VIEW

REPORT_PERIODS = {"90": 90, "365": 365, "all": None}


def add_errors(form: Any, exc: ValidationError) -> None:
    """Put EXC's messages beside the form's fields it names, and the rest
    (fields of the chart or episode the form does not show) on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        messages_ = [message for error in errors for message in error.messages]
        form.add_error(name if name in form.fields else None, messages_)


@require_action(ADMISSIONS_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.restrict(request.user, SITE_VIEW)
    site_id: int | None = None
    wanted = parse_id(request.GET.get("site"))
    if wanted is not None and sites.filter(pk=wanted).exists():
        site_id = wanted
    columns = selectors.inquiry_board(user=request.user, site_id=site_id)
    log_list_read("admissions_board", columns)
    context = {
        "columns": columns,
        "sites": sites,
        "site_id": site_id,
        "final_window_days": selectors.FINAL_WINDOW_DAYS,
        "can_create": has_action(request.user, ADMISSIONS_CREATE),
    }
    return render(request, "admissions/board.html", context)


def _visible_ids(request: HttpRequest, model: Any, action: str, matches: list[services.Match]) -> set[int]:
    pks = [match.record.pk for match in matches]
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
            birth_date=data["birth_date"], email=data["email"],
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


def _detail(
    request: HttpRequest,
    inquiry: Inquiry,
    form: MoveForm | None,
    status: int = 200,
    acknowledge_form: SelfCheckAcknowledgeForm | None = None,
) -> HttpResponse:
    # The self-check outcome only for the roles granted it; everyone else who
    # may read the inquiry learns only that a risk was shared.
    share = selectors.selfcheck_share(request.user, inquiry)
    context = {
        "inquiry": inquiry,
        "history": list(inquiry.stage_changes.all()),
        "form": form,
        "allowed": pipeline.allowed_moves(inquiry.stage),
        "can_manage": inquiry.is_open and has_action(request.user, ADMISSIONS_MANAGE),
        "next_step": pipeline.allowed_moves(inquiry.stage)[0] if inquiry.is_open else None,
        # Pre-screen answers (suicidal thoughts, pregnancy) are for the roles
        # that read a shared self-check risk; others learn only that one needs escalating.
        "can_see_screen": has_action(request.user, ADMISSIONS_SELFCHECK),
        "escalations": inquiry.escalations(),
        "can_edit": inquiry.is_open and has_action(request.user, ADMISSIONS_CREATE),
        "share": share,
        "risk_shared": share.risk if share is not None else selectors.risk_was_shared(inquiry),
        "acknowledge_form": acknowledge_form or SelfCheckAcknowledgeForm(),
    }
    return render(request, "admissions/inquiry_detail.html", context, status=status)


@require_action(ADMISSIONS_VIEW)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_VIEW, pk=pk)
    log_read(inquiry, data={"view": "inquiry"})
    form = None
    if inquiry.is_open and has_action(request.user, ADMISSIONS_MANAGE):
        form = MoveForm(inquiry=inquiry)
    return _detail(request, inquiry, form)


@require_action(ADMISSIONS_SELFCHECK)
@require_http_methods(["GET", "POST"])
def selfcheck_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge, with a note, a risk the person shared from the public
    self-check: it leaves the dashboards and stays on the inquiry."""
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_VIEW, pk=pk)
    share = selectors.selfcheck_share(request.user, inquiry)
    if share is None or not share.risk:
        raise Http404(_("No risk was shared with this request."))
    form = SelfCheckAcknowledgeForm(request.POST or None)
    move_form = None
    if inquiry.is_open and has_action(request.user, ADMISSIONS_MANAGE):
        move_form = MoveForm(inquiry=inquiry)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry"})
        return _detail(request, inquiry, move_form)
    if form.is_valid():
        try:
            services.selfcheck_risk_acknowledge(
                actor=request.user,  # type: ignore[arg-type]
                share=share,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Risk acknowledged. It stays on this request and leaves the dashboards."))
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _detail(request, inquiry, move_form, status=400, acknowledge_form=form)


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_move(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_MANAGE, pk=pk)
    form = MoveForm(request.POST or None, inquiry=inquiry)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry"})
        return _detail(request, inquiry, form if inquiry.is_open else None)
    if form.is_valid() and form.cleaned_data["to_stage"] in STEPS_WITH_THEIR_OWN_FORM:
        form.add_error(
            "to_stage",
            _("Booking the assessment and admitting have their own forms: use the button on the inquiry page."),
        )
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
            )
        except pipeline.MoveRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.get_stage_display()})
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _detail(request, inquiry, form)


@require_action(ADMISSIONS_CREATE)
@require_http_methods(["GET", "POST"])
def inquiry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the intake details of an open inquiry. An edit that started
    from an old version is refused with the other person's values shown and
    the user's input kept."""
    inquiry = get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_CREATE, pk=pk)
    if not inquiry.is_open:
        log_read(inquiry, data={"view": "inquiry_edit", "read_only": True})
        context: dict[str, Any] = {
            "form": None,
            "inquiry": inquiry,
            "conflicts": [],
            "final_message": _final_message(inquiry),
        }
        return render(request, "admissions/inquiry_edit.html", context, status=409 if request.method == "POST" else 200)
    form = InquiryForm(request.POST or None, instance=inquiry, sites=Site.objects.none())
    conflicts: list[tuple[str, str]] = []
    status = 200
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry_edit"})
    elif form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        try:
            services.inquiry_update(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                expected_version=expected,
                **form.inquiry_fields(),
            )
        except StaleEditError as exc:
            form.add_error(None, exc)
            saved = selectors.inquiry_queryset().get(pk=inquiry.pk)
            conflicts = _conflicts(form, saved)
            # The user has now seen the other version: a second save is a
            # deliberate choice, not a silent overwrite.
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form.data = data
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Inquiry for %(name)s saved.") % {"name": inquiry.person_name})
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return render(
        request,
        "admissions/inquiry_edit.html",
        {"form": form, "inquiry": inquiry, "conflicts": conflicts},
        status=status,
    )


def _final_message(inquiry: Inquiry) -> str:
    return _(
        "This inquiry is %(stage)s, a final stage, and is kept as it was. "
        "If the person calls again, log a new inquiry (an admitted person's details live in their chart)."
    ) % {"stage": inquiry.get_stage_display().lower()}


def _conflicts(form: InquiryForm, saved: Inquiry) -> list[tuple[str, str]]:
    """The saved values that differ from what the user typed, for display."""
    rows = []
    for name in services.INQUIRY_FIELDS:
        mine, theirs = form.cleaned_data.get(name), getattr(saved, name)
        if name == "substances":
            differs = sorted(mine or []) != sorted(theirs or [])
            shown = ", ".join(saved.substance_labels()) or "—"
        else:
            differs = mine != theirs
            display = getattr(saved, f"get_{name}_display", None)
            if isinstance(theirs, bool):
                shown = _("Yes") if theirs else _("No")
            elif display is not None:
                shown = str(display())
            else:
                shown = str(theirs) if theirs not in (None, "") else "—"
        if differs:
            rows.append((str(form.fields[name].label), shown))
    return rows


@require_action(ADMISSIONS_VIEW)
def referral_report(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "365")
    if period not in REPORT_PERIODS:
        period = "365"
    days = REPORT_PERIODS[period]
    since = timezone.localdate() - dt.timedelta(days=days) if days else None
    include_inactive = request.GET.get("inactive") == "1"
    rows = selectors.referral_report(user=request.user, since=since, include_inactive=include_inactive)
    totals = {
        "total": sum(row.total for row in rows),
        "admitted": sum(row.admitted for row in rows),
        "decided": sum(row.decided for row in rows),
    }
    context = {
        "rows": rows,
        "totals": totals,
        "period": period,
        "since": since,
        "include_inactive": include_inactive,
        "can_manage": has_action(request.user, ADMISSIONS_SOURCES),
    }
    return render(request, "admissions/referral_report.html", context)


@require_action(ADMISSIONS_SOURCES)
@require_http_methods(["GET", "POST"])
def referral_source_create(request: HttpRequest) -> HttpResponse:
    form = ReferralSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.referral_source_create(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Referral source %(name)s added.") % {"name": source.name})
            return HttpResponseRedirect(reverse("admissions:referral_report"))
    return render(request, "admissions/source_form.html", {"form": form, "source": None})


@require_action(ADMISSIONS_SOURCES)
@require_http_methods(["GET", "POST"])
def referral_source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_restricted_or_404(ReferralSource.objects.all(), request, ADMISSIONS_SOURCES, pk=pk)
    form = ReferralSourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.referral_source_update(
                actor=request.user,  # type: ignore[arg-type]
                source=source,
                expected_version=data.get("version") or 0,
                name=data["name"],
                kind=data["kind"],
                active=data["active"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Referral source %(name)s saved.") % {"name": saved.name})
            return HttpResponseRedirect(reverse("admissions:referral_report") + "?inactive=1")
    usage = services.referral_source_usage(source)
    return render(request, "admissions/source_form.html", {"form": form, "source": source, "usage": usage})


@require_action(ADMISSIONS_SOURCES)
@require_http_methods(["GET", "POST"])
def referral_source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a mistyped source that no inquiry uses; one in use is refused
    (deactivate it instead)."""
    source = get_restricted_or_404(ReferralSource.objects.all(), request, ADMISSIONS_SOURCES, pk=pk)
    usage = services.referral_source_usage(source)
    error = ""
    if request.method == "POST":
        try:
            services.referral_source_delete(actor=request.user, source=source)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Referral source %(name)s deleted.") % {"name": source.name})
            return HttpResponseRedirect(reverse("admissions:referral_report"))
    context = {"source": source, "usage": usage, "error": error}
    return render(request, "admissions/source_delete.html", context, status=409 if error else 200)
