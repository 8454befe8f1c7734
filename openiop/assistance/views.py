# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages for the ways to pay: forms reached from the chart's "Ways to pay"
tab (income attestation, sliding fee, payment plans, awards) and the funds
page. Every page fetches its patient through the access path (404 outside
the user's reach, the read audited); a refused write shows the form again
with what was typed and the reason beside the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.assistance import selectors, services
from openiop.assistance.forms import AttestationForm, AwardForm, CancelForm, FundForm, PlanForm
from openiop.assistance.models import Award, PaymentPlan
from openiop.assistance.permissions import ASSISTANCE_MANAGE, ASSISTANCE_VIEW
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.ledger import selectors as ledger_selectors
from openiop.patients.models import Patient
from openiop.sites.models import Site

TAB = "ways_to_pay"


def _patient(request: HttpRequest, patient_pk: int, view: str) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site", "organization"), request, ASSISTANCE_MANAGE, view=view, pk=patient_pk
    )


def _tab(patient_pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("patients:chart", args=[patient_pk]) + f"?tab={TAB}")


def _form_page(
    request: HttpRequest, patient: Patient, form: Any, heading: str, button: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "patient": patient, "heading": heading, "button": button, **extra}
    return render(request, "assistance/form.html", context)


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def attestation_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, "assistance.attestation_add")
    form = AttestationForm(request.POST or None, initial={"attested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            attestation = services.attestation_record(actor=staff_user(request), patient=patient, **form.cleaned_data)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(
                request,
                _("Income attestation recorded: %(percent)s%% of the poverty guideline, %(discount)s%% discount.")
                % {
                    "percent": attestation.percent_of_guideline,
                    "discount": f"{attestation.discount_percent.normalize():f}",
                },
            )
            return _tab(patient.pk)
    return _form_page(request, patient, form, _("Record income attestation"), _("Record attestation"))


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def sliding_fee_apply(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """GET: what applying would do (the attestation's tier, the charges
    waiting); POST: apply it. The tab's button posts straight here."""
    patient = _patient(request, patient_pk, "assistance.sliding_fee_apply")
    if request.method == "POST":
        try:
            applied = services.sliding_fee_apply(actor=staff_user(request), patient=patient)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            if applied:
                total = sum((discount.amount for discount in applied), services.ZERO)
                messages.success(
                    request,
                    _("Sliding fee applied to %(count)d charges: $%(total)s off.")
                    % {"count": len(applied), "total": f"{total:,.2f}"},
                )
            else:
                messages.info(request, _("Nothing to discount: every self-pay charge already has its sliding fee."))
        return _tab(patient.pk)
    today = timezone.localdate()
    return render(
        request,
        "assistance/sliding_fee_apply.html",
        {
            "patient": patient,
            "attestation": services.current_attestation(patient.pk, today),
            "charges": selectors.undiscounted_charges(patient),
        },
    )


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, "assistance.plan_add")
    balance = ledger_selectors.patient_balance(patient.pk)
    initial = {"amount": balance if balance > 0 else None, "months": 6}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_create(actor=staff_user(request), patient=patient, **form.cleaned_data)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Payment plan set up."))
            return _tab(patient.pk)
    return _form_page(request, patient, form, _("Set up a payment plan"), _("Set up plan"), balance=balance)


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_cancel(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, "assistance.plan_cancel")
    plan = read_restricted_or_404(
        PaymentPlan.objects.all(), request, ASSISTANCE_MANAGE, view="assistance.plan_cancel", pk=pk, patient=patient
    )
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_cancel(actor=staff_user(request), plan=plan, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Payment plan canceled."))
            return _tab(patient.pk)
    return _form_page(request, patient, form, _("Cancel payment plan: %(plan)s") % {"plan": plan}, _("Cancel plan"))


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def award_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, "assistance.award_add")
    funds = selectors.open_funds_for(staff_user(request), patient)
    form = AwardForm(request.POST or None, funds=funds)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["submission_key"]
        again = Award.objects.filter(patient=patient, transaction__submission_key=key).exists()
        try:
            services.award_create(
                actor=staff_user(request),
                fund=form.cleaned_data["fund"],
                patient=patient,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                submission_key=key,
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if again:
                messages.info(request, _("This award was made already; nothing was posted twice."))
            else:
                messages.success(request, _("Award posted to the patient's account."))
            return _tab(patient.pk)
    balance = ledger_selectors.patient_balance(patient.pk)
    return _form_page(
        request, patient, form, _("Award from a scholarship or grant"), _("Make award"), balance=balance, funds=funds
    )


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def award_reverse(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, "assistance.award_reverse")
    award = read_restricted_or_404(
        Award.objects.select_related("fund"),
        request,
        ASSISTANCE_MANAGE,
        view="assistance.award_reverse",
        pk=pk,
        patient=patient,
    )
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_reverse(actor=staff_user(request), award=award, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Award reversed; its amount is back in the fund."))
            return _tab(patient.pk)
    return _form_page(request, patient, form, _("Reverse award: %(award)s") % {"award": award}, _("Reverse award"))


@require_action(ASSISTANCE_VIEW)
@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    # Funds are the organization's money, not anyone's record: no read to log.
    return render(
        request,
        "assistance/funds.html",
        {
            "funds": selectors.funds_for(request.user),
            "today": timezone.localdate(),
            "can_manage": has_action(request.user, ASSISTANCE_MANAGE),
        },
    )


@require_action(ASSISTANCE_MANAGE)
@require_http_methods(["GET", "POST"])
def fund_add(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    sites = Site.objects.filter(pk__in=user.site_ids()).order_by("name")
    form = FundForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        first_site = sites.select_related("organization").first()
        organization = data["site"].organization if data["site"] else first_site.organization if first_site else None
        if organization is None:
            form.add_error(None, _("You work at no site, so no organization to hold the fund."))
        else:
            try:
                services.fund_create(actor=user, organization=organization, **data)
            except ValidationError as exc:
                attach_error(request, form, exc)
            else:
                messages.success(request, _("Fund created."))
                return HttpResponseRedirect(reverse("assistance:funds"))
    return render(request, "assistance/fund_form.html", {"form": form})
