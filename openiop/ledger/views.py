# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart's Account tab, its forms and the monthly statement PDF.

Every page fetches its patient through the access path (404 outside the
user's reach, the read audited). The front desk takes payments and records
financing (``ledger.post``); refunds, adjustments and reversals are the
billing specialist's (``ledger.adjust``)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.insurance.models import Payer
from openiop.ledger import services
from openiop.ledger.forms import FORM_KINDS, ReverseForm, TransactionForm
from openiop.ledger.models import LedgerTransaction
from openiop.ledger.panels import account_tab
from openiop.ledger.permissions import LEDGER_ADJUST, LEDGER_POST, LEDGER_VIEW
from openiop.ledger.selectors import ledger_for
from openiop.ledger.statements import LANGUAGES, TEMPLATE, period_of, statement_context
from openiop.patients.models import Patient
from openiop.patients.permissions import PATIENT_VIEW

ADJUSTING_FORMS = {"refund", "adjustment"}


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str, **data: Any) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site__organization"), request, action, view=view, data=data, pk=patient_pk
    )


def _tab(request: HttpRequest, patient_pk: int) -> HttpResponseRedirect:
    """Back to the chart's Account tab, or to the account page for someone
    the chart is not open to."""
    if has_action(request.user, PATIENT_VIEW):
        return HttpResponseRedirect(reverse("patients:chart", args=[patient_pk]) + "?tab=account")
    return HttpResponseRedirect(reverse("ledger:account", args=[patient_pk]))


@require_action(LEDGER_VIEW)
@require_GET
def account(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The Account tab's own address: the tab on a page of its own (for
    links from the billing workspace and for anyone the chart is not open
    to; the chart shows the same tab)."""
    patient = _patient(request, patient_pk, LEDGER_VIEW, "ledger.account")
    return render(request, "ledger/account.html", {"patient": patient, "tab_context": account_tab(request, patient)})


@never_cache
@require_action(LEDGER_POST)
@require_http_methods(["GET", "POST"])
def transaction_new(request: HttpRequest, patient_pk: int, form_kind: str) -> HttpResponse:
    if form_kind not in FORM_KINDS:
        raise Http404
    if form_kind in ADJUSTING_FORMS and not has_action(request.user, LEDGER_ADJUST):
        raise PermissionDenied(LEDGER_ADJUST)
    patient = _patient(request, patient_pk, LEDGER_POST, f"ledger.{form_kind}")
    ledger, _names = ledger_for(patient.pk)
    payers = list(Payer.objects.filter(pk__in=[p for p in ledger.balances if p is not None]).order_by("name"))
    form = TransactionForm(request.POST or None, form_kind=form_kind, payers=payers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["submission_key"]
        again = LedgerTransaction.objects.filter(submission_key=key, patient=patient).exists()
        party = data.get("party")
        try:
            row = services.transaction_post(
                actor=staff_user(request),
                patient=patient,
                kind=form.kind,
                amount=data["amount"],
                posted_on=data["posted_on"],
                method=form.method_value(),
                reference=data.get("reference", ""),
                memo=data.get("memo", ""),
                payer=next((p for p in payers if str(p.pk) == party), None) if party else None,
                submission_key=key,
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            if again:
                messages.info(request, _("This was recorded already; nothing was posted twice."))
            else:
                messages.success(
                    request,
                    _("%(what)s of %(amount)s recorded.")
                    % {"what": row.get_kind_display(), "amount": services.money(row.amount)},
                )
            return _tab(request, patient.pk)
    return render(
        request,
        "ledger/transaction_form.html",
        {
            "patient": patient,
            "form": form,
            "title": FORM_KINDS[form_kind]["title"],
            "balance": ledger.patient_balance,
            "payer_balances": [(p.name, ledger.balances.get(p.pk)) for p in payers],
        },
    )


@never_cache
@require_action(LEDGER_ADJUST)
@require_http_methods(["GET", "POST"])
def transaction_reverse(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, LEDGER_ADJUST, "ledger.reverse", transaction=pk)
    original = (
        LedgerTransaction.objects.restrict(request.user, LEDGER_VIEW)
        .filter(patient=patient, pk=pk)
        .select_related("payer")
        .first()
    )
    if original is None:
        raise Http404
    if original.kind in services.ASSISTANCE_KINDS:
        messages.error(request, _("Awards and sliding fee discounts are reversed from Ways to pay."))
        return _tab(request, patient.pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transaction_reverse(
                actor=staff_user(request),
                transaction=original,
                reason=form.cleaned_data["reason"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("The transaction was reversed."))
            return _tab(request, patient.pk)
    return render(request, "ledger/reverse_form.html", {"patient": patient, "form": form, "original": original})


@never_cache
@require_action(LEDGER_VIEW)
@require_GET
def statement(request: HttpRequest, patient_pk: int, year: int, month: int) -> HttpResponseBase:
    """The month's statement as a PDF, in English or (``?lang=es``) Spanish."""
    from openiop.privacy.documents import render_pdf

    language = request.GET.get("lang", "en")
    if language not in LANGUAGES:
        language = "en"
    try:
        period_of(year, month)
    except ValueError:
        raise Http404 from None
    patient = _patient(request, patient_pk, LEDGER_VIEW, "ledger.statement", year=year, month=month, language=language)
    ledger, payer_names = ledger_for(patient.pk)
    with translation.override(language):
        pdf = render_pdf(TEMPLATE, statement_context(patient, ledger, payer_names, year, month, language))
    name = f"statement-{patient.mrn}-{year}-{month:02d}-{language}.pdf"
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=name)
