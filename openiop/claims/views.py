# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims pages for the billing specialist: the claims list (filtered), a
claim with its lines and what the payer answered, the denials queue, and the
page that sends a corrected claim or a void; building the ready charges'
claims, and reading an answer file (999, 277CA, 835) by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.claims import selectors
from openiop.claims.forms import AnswerImportForm, BuildForm, ClaimFilter, ReplaceForm
from openiop.claims.models import Claim
from openiop.claims.permissions import CLAIMS_VIEW, CLAIMS_WORK
from openiop.claims.services import claims_build
from openiop.claims.services_replace import claim_replace
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.insurance.services_eligibility import clearinghouse_file_import
from openiop.sites.models import Site

CLAIMS_PER_PAGE = 50


@require_action(CLAIMS_VIEW)
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organizations = list(Site.objects.filter(pk__in=user.site_ids()).values_list("organization_id", flat=True))
    form = ClaimFilter(request.GET or None, organization_ids=organizations)
    claims = selectors.claim_queryset(request.user, CLAIMS_VIEW)
    failed = False
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["status"]:
                claims = claims.filter(status=data["status"])
            if data["payer"]:
                claims = claims.filter(payer=data["payer"])
            if data["claim_type"]:
                claims = claims.filter(claim_type=data["claim_type"])
            if data["start"]:
                claims = claims.filter(statement_end__gte=data["start"])
            if data["end"]:
                claims = claims.filter(statement_start__lte=data["end"])
            if data["number"]:
                claims = claims.filter(patient_control_number__iexact=data["number"].strip())
        else:
            failed = True
            claims = claims.none()
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    log_list_read("claims_list", list(page.object_list))
    return render(
        request,
        "claims/list.html",
        {
            "form": form,
            "page": page,
            "filter_failed": failed,
            "querystring": query.urlencode(),
            "can_work": has_action(request.user, CLAIMS_WORK),
            "build_form": BuildForm(),
            "import_form": AnswerImportForm(),
        },
    )


@require_action(CLAIMS_VIEW)
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = read_restricted_or_404(
        Claim.objects.select_related("patient", "payer", "site", "replaces"), request, CLAIMS_VIEW, view="claim", pk=pk
    )
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "lines": claim.lines.all(),
            "postings": claim.postings.select_related("payment", "line"),
            "reasons": selectors.reasons_for(claim),
            "can_work": has_action(request.user, CLAIMS_WORK),
        },
    )


@require_action(CLAIMS_VIEW)
@require_GET
def denials(request: HttpRequest) -> HttpResponse:
    queue = selectors.denials(request.user, CLAIMS_VIEW)
    log_list_read("claims_denials", [denial.claim for denial in queue])
    unmatched = selectors.unmatched_payments(request.user, CLAIMS_VIEW)
    return render(
        request,
        "claims/denials.html",
        {"queue": queue, "unmatched": unmatched, "can_work": has_action(request.user, CLAIMS_WORK)},
    )


@require_action(CLAIMS_WORK)
@require_http_methods(["GET", "POST"])
def claim_replace_page(request: HttpRequest, pk: int) -> HttpResponse:
    claim = read_restricted_or_404(
        Claim.objects.select_related("patient", "payer", "site__organization"),
        request,
        CLAIMS_WORK,
        view="claim_replace",
        pk=pk,
    )
    form = ReplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = claim_replace(
                actor=staff_user(request), claim=claim, frequency=form.cleaned_data["frequency"]
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            if replacement.status == "scrubber":
                messages.error(request, "; ".join(replacement.problems) or "The claim could not be written.")
            else:
                messages.success(request, f"Claim {replacement.patient_control_number} is in the outbox.")
            return HttpResponseRedirect(reverse("claims:detail", args=[replacement.pk]))
    return render(request, "claims/replace.html", {"claim": claim, "form": form})


@require_action(CLAIMS_WORK)
@require_http_methods(["GET", "POST"])
def claims_build_page(request: HttpRequest) -> HttpResponse:
    """Build claims for the ready charges and write the files to the outbox
    (the claims list shows each claim's file)."""
    form = BuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = claims_build(
                actor=staff_user(request), period=form.cleaned_data["period"], through=form.cleaned_data["through"]
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            if not result.built and not result.stopped:
                messages.info(request, "No charges are ready to bill.")
            else:
                files = ", ".join(path.name for path in result.files) or "none"
                messages.success(
                    request,
                    f"{len(result.built)} claim(s) in the outbox ({files}); "
                    f"{len(result.stopped)} stopped with the reason.",
                )
            return HttpResponseRedirect(reverse("claims:list"))
    return render(request, "claims/action.html", {"form": form, "action": "build"})


@require_action(CLAIMS_WORK)
@require_http_methods(["GET", "POST"])
def answer_import(request: HttpRequest) -> HttpResponse:
    """A 999, 277CA or 835 downloaded from the clearinghouse, read as the inbox job reads it."""
    form = AnswerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = upload.read().decode("latin-1")
        outcome = clearinghouse_file_import(upload.name, text)
        if outcome.accepted:
            messages.success(request, f"{upload.name}: {outcome.message}")
            return HttpResponseRedirect(reverse("claims:denials" if outcome.kind == "835" else "claims:list"))
        form.add_error("file", f"{upload.name}: {outcome.message}")
    return render(request, "claims/action.html", {"form": form, "action": "import"})
