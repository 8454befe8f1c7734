# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public site: pages for people looking for help. No sign-in, nothing
about a person stored unless they ask to be contacted."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openiop.admissions.models import Inquiry
from openiop.directory.places import US_STATES
from openiop.public import estimator, medicaid, poverty, ratelimit, selectors, selfcheck, services
from openiop.public.forms import SELF_CHECK_QUESTIONS, CostForm, PublicRequestForm, SelfCheckForm
from openiop.public.models import RateCard
from openiop.sites.models import Site
from openiop.treatment import selectors as treatment_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


@never_cache
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """Answers are evaluated and shown, never saved; the result page offers
    to send the outcome (not the answers) with a call-back request."""
    form = SelfCheckForm(request.POST or None)
    # A location chosen before the self-check (a program's page links here
    # with ?site=) is carried through to "Ask us to contact you".
    chosen_site = selectors.site_by_code(request.POST.get("site") or request.GET.get("site", ""))
    result = None
    if request.method == "POST" and form.is_valid():
        result = selfcheck.evaluate(form.cleaned_data)
    labels = {code: question for code, question, _help in SELF_CHECK_QUESTIONS}
    context = {
        "form": form,
        "result": result,
        "concerns": [labels[code] for code in result.concerns] if result else [],
        "unsure": [labels[code] for code in result.unsure] if result else [],
        "chosen_site": chosen_site,
    }
    return render(request, "public/self_check.html", context)


LINE_LABELS = {
    estimator.INTAKE: _("Intake assessment"),
    estimator.GROUP: _("Group counseling, per hour"),
    estimator.INDIVIDUAL: _("Individual therapy, per session"),
    estimator.FAMILY: _("Family therapy, per session"),
    estimator.DRUG_TESTING: _("Drug test"),
    estimator.MEDICATION: _("Medication management visit"),
}


@dataclass(frozen=True)
class WaysToPay:
    months: int
    plan_low: Decimal
    plan_high: Decimal
    apr_percent: Decimal
    financing_low: Decimal
    financing_high: Decimal
    scholarship_max: Decimal
    scholarship_low: Decimal
    scholarship_high: Decimal
    sliding: poverty.SlidingScale | None
    sliding_low: Decimal | None
    sliding_high: Decimal | None
    guideline_missing: bool
    # Income at or under 138 % of the guideline in a state that expanded
    # Medicaid: the name of that state, else "".
    medicaid_state: str = ""


def _ways_to_pay(form: CostForm, result: estimator.Estimate, card: RateCard) -> WaysToPay:
    data = form.cleaned_data
    months = data["months"]
    sliding = None
    guideline_missing = False
    medicaid_state = ""
    if data.get("income") is not None and data.get("household_size") is not None:
        guideline = selectors.guideline_for(year=timezone.localdate().year, state=form.state)
        if guideline is None:
            guideline_missing = True
        else:
            sliding = poverty.sliding_scale(
                income=data["income"],
                household_size=data["household_size"],
                guideline=guideline,
                tiers=selectors.sliding_fee_tiers(),
            )
            if medicaid.may_qualify(
                income=data["income"], household_size=data["household_size"], guideline=guideline, state=form.state
            ):
                medicaid_state = str(US_STATES.get(form.state.upper(), form.state))
    apr = card.financing_apr_percent
    return WaysToPay(
        months=months,
        plan_low=estimator.payment_plan_monthly(result.share_low, months),
        plan_high=estimator.payment_plan_monthly(result.share_high, months),
        apr_percent=apr,
        financing_low=estimator.financing_monthly(result.share_low, apr_percent=apr, months=months),
        financing_high=estimator.financing_monthly(result.share_high, apr_percent=apr, months=months),
        scholarship_max=card.scholarship_max,
        scholarship_low=max(result.share_low - card.scholarship_max, Decimal(0)),
        scholarship_high=max(result.share_high - card.scholarship_max, Decimal(0)),
        sliding=sliding,
        sliding_low=sliding.apply(result.share_low) if sliding else None,
        sliding_high=sliding.apply(result.share_high) if sliding else None,
        guideline_missing=guideline_missing,
        medicaid_state=medicaid_state,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cost(request: HttpRequest) -> HttpResponse:
    """The estimate is worked out from what was posted and shown at once;
    nothing is stored (income included)."""
    sites = selectors.public_sites()
    initial = {}
    preselected = selectors.site_by_code(request.GET.get("site", ""))
    if preselected is not None:
        initial["site"] = preselected
    form = CostForm(request.POST or None, sites=sites, initial=initial)
    context: dict[str, Any] = {"form": form, "today": timezone.localdate()}
    if request.method == "POST" and form.is_valid():
        card = selectors.rate_card_for(site=form.cleaned_data.get("site"), state=form.state)
        if card is None:
            context["no_rates"] = True
        else:
            try:
                plan = form.plan()
                band = treatment_selectors.band_of(estimator.IOP_LEVEL, plan.population)
                result = estimator.estimate(plan, card.rates(), form.coverage(), band=band)
            except estimator.EstimateInputError as error:
                # The form's own bounds catch these first; this is the second lock.
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                context.update(
                    result=result,
                    card=card,
                    ways=_ways_to_pay(form, result, card),
                    plan=result.plan,
                    lines=[(LINE_LABELS[line.code], line) for line in result.lines],
                    unknowns=form.coverage().insured
                    and any(
                        value is None
                        for value in (form.coverage().deductible_remaining, form.coverage().coinsurance_percent)
                    ),
                )
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "public/cost.html", context, status=status)


def _rate_limited(request: HttpRequest, site: Site | None) -> HttpResponse:
    sites = [site] if site is not None else list(selectors.public_sites())
    return render(request, "public/rate_limited.html", {"sites": sites}, status=429)


def _inquiry_link(request: HttpRequest) -> Any:
    def link(inquiry: Inquiry) -> str:
        return request.build_absolute_uri(reverse("admissions:detail", args=[inquiry.pk]))

    return link


def _public_request(request: HttpRequest, kind: str) -> HttpResponse:
    sites = selectors.public_sites()
    sent_url = reverse(f"public:{kind}_sent")
    template = f"public/{kind}.html"
    if request.method == "GET":
        initial: dict[str, Any] = {}
        preselected = selectors.site_by_code(request.GET.get("site", ""))
        if preselected is not None:
            initial["site"] = preselected
        elif sites.count() == 1:
            initial["site"] = sites.first()
        form = PublicRequestForm(sites=sites, kind=kind, initial=initial)
        return render(request, template, {"form": form})
    if ratelimit.count_and_check(request, "public.any_post", ratelimit.ANY_POST_RATE):
        return _rate_limited(request, selectors.site_by_code(request.POST.get("site", "")))
    if request.POST.get("prefill") == "selfcheck":
        # Arriving from the self-check result: a fresh form, carrying only the outcome code.
        summary = selfcheck.parse_summary(request.POST.get("selfcheck", ""))
        initial = {"selfcheck": "+".join(summary)}
        # The location chosen before the self-check (from a program's page) stays chosen.
        chosen = selectors.site_by_code(request.POST.get("site", ""))
        if chosen is not None:
            initial["site"] = chosen
        elif sites.count() == 1:
            initial["site"] = sites.first()
        form = PublicRequestForm(sites=sites, kind=kind, initial=initial)
        return render(request, template, {"form": form, "selfcheck_outcomes": summary})
    form = PublicRequestForm(request.POST, sites=sites, kind=kind)
    if form.is_spam:
        # Thanked like a person, so the robot learns nothing; nothing is created.
        return HttpResponseRedirect(sent_url)
    if not form.is_valid():
        outcomes = selfcheck.parse_summary(request.POST.get("selfcheck", ""))
        return render(request, template, {"form": form, "selfcheck_outcomes": outcomes}, status=400)
    data = form.cleaned_data
    if ratelimit.count_and_check(request, f"public.{kind}", ratelimit.ACCEPTED_RATE):
        return _rate_limited(request, data["site"])
    try:
        services.public_request_create(
            request=services.PublicRequest(
                kind=kind,
                site=data["site"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                best_time=data["best_time"],
                insurer=data["insurer"],
                member_id=data["member_id"],
                consent=data["consent"],
                language=translation.get_language() or "",
                selfcheck_outcomes=data["selfcheck"] if data["share_selfcheck"] else [],
                for_whom=data["for_whom"] or services.FOR_MYSELF,
                their_name=data["their_name"],
                leave_messages=data["leave_messages"],
                message=data["message"],
                birth_date=data.get("birth_date"),
                subscriber_relation=data.get("subscriber_relation", ""),
                subscriber_name=data.get("subscriber_name", ""),
            ),
            link_for=_inquiry_link(request),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, template, {"form": form}, status=400)
    return HttpResponseRedirect(sent_url)


@never_cache
@require_http_methods(["GET", "POST"])
def call_back(request: HttpRequest) -> HttpResponse:
    return _public_request(request, services.CALL_BACK)


@never_cache
@require_http_methods(["GET", "POST"])
def coverage_check(request: HttpRequest) -> HttpResponse:
    return _public_request(request, services.COVERAGE_CHECK)


@require_GET
def call_back_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "public/sent.html", {"kind": services.CALL_BACK})


@require_GET
def coverage_check_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "public/sent.html", {"kind": services.COVERAGE_CHECK})
