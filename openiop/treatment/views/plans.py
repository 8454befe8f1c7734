# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.ascii_digits import parse_id
from openiop.core.views import attach_error
from openiop.patients.models import Episode, Patient
from openiop.treatment import forms, plan_diff, selectors
from openiop.treatment.models import PlanVersion, TreatmentPlan
from openiop.treatment.permissions import LIBRARY_EDIT, PLAN_WRITE, TREATMENT_COSIGN, TREATMENT_SIGN, TREATMENT_VIEW
from openiop.treatment.services import library as library_services
from openiop.treatment.services import plans as services
from openiop.treatment.views.common import clinical_staff

ITEM_LABELS = {
    "problem": _("problem"),
    "goal": _("goal"),
    "objective": _("objective"),
    "intervention": _("intervention"),
}


def _version_url(version: PlanVersion) -> str:
    return reverse("treatment:plan_version", args=[version.pk])


@require_action(PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, PLAN_WRITE, view="plan_start", pk=patient_pk)
    episode = Episode.objects.restrict(request.user, PLAN_WRITE).filter(patient=patient, status="active").first()
    existing = TreatmentPlan.objects.filter(episode=episode).first() if episode else None
    if request.method == "POST" and episode is not None:
        try:
            version = services.plan_start(actor=staff_user(request), episode=episode)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            return HttpResponseRedirect(_version_url(version))
    return render(request, "treatment/plan_start.html", {"patient": patient, "episode": episode, "existing": existing})


@require_action(TREATMENT_VIEW)
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_restricted_or_404(selectors.version_queryset(), request, TREATMENT_VIEW, pk=pk)
    log_read(version, data={"view": "plan"})
    return render(request, "treatment/plan_version.html", _version_context(request, version))


def _version_context(request: HttpRequest, version: PlanVersion) -> dict[str, object]:
    plan = version.plan
    versions = list(plan.versions.select_related("signed_by").order_by("-number"))
    previous = next((v for v in versions if v.number < version.number), None)
    problems = selectors.version_tree(version)
    linked = selectors.objective_note_map(version, request.user)
    for problem in problems:
        for goal in problem.goals.all():
            for objective in goal.objectives.all():
                objective.linked_notes = linked.get(objective.lineage, [])
    return {
        "version": version,
        "plan": plan,
        "episode": plan.episode,
        "patient": plan.episode.patient,
        "problems": problems,
        "interventions": list(version.interventions.select_related("responsible", "problem")),
        "hours": selectors.hours_check(version),
        "versions": versions,
        "previous": previous,
        "can_edit": version.is_draft and has_action(request.user, PLAN_WRITE),
        "library_form": forms.LibraryPickForm(
            problems=library_services.library_problems(),
            initial={"lock_version": version.lock_version},
            prefix="library",
        )
        if version.is_draft and has_action(request.user, PLAN_WRITE)
        else None,
        "can_sign": version.is_draft and has_action(request.user, TREATMENT_SIGN),
        "can_revise": version.status == PlanVersion.Status.SIGNED
        and has_action(request.user, PLAN_WRITE)
        and not any(v.is_draft for v in versions),
        "can_edit_library": has_action(request.user, LIBRARY_EDIT),
        "can_cosign": version.awaiting_cosignature
        and has_action(request.user, TREATMENT_COSIGN)
        and version.signed_by_id != request.user.pk,
    }


def plan_body_response(request: HttpRequest, version: PlanVersion) -> HttpResponse:
    """The plan's editable body, swapped in place of the old one by htmx."""
    version.refresh_from_db()
    response = render(request, "treatment/_plan_body.html", _version_context(request, version))
    return reswap(retarget(response, "#plan-body"), "outerHTML")


@require_action(TREATMENT_VIEW)
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_restricted_or_404(selectors.version_queryset(), request, TREATMENT_VIEW, pk=pk)
    log_read(version, data={"view": "plan_print"})
    return render(request, "treatment/plan_print.html", _version_context(request, version))


@require_action(PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_item(request: HttpRequest, pk: int, kind: str, item_pk: int | None = None) -> HttpResponse:
    version = read_restricted_or_404(selectors.version_queryset(), request, PLAN_WRITE, view="plan_item", pk=pk)
    if kind not in services.ITEM_MODELS:
        raise Http404("unknown plan item")
    model = services.item_model(kind)
    instance = None
    if item_pk is not None:
        instance = model._default_manager.filter(version=version, pk=item_pk).first()
        if instance is None:
            raise Http404("no such item")
    initial_parent = {
        name: parsed for name in ("problem", "goal") if (parsed := parse_id(request.GET.get(name))) is not None
    }
    form = forms.item_form(
        kind, request.POST or None, instance=instance, version=version,
        staff=clinical_staff([version.plan.episode.site_id]), lock=version.lock_version,
    )  # fmt: skip
    if not request.POST:
        form.initial.update(initial_parent)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_item_save(
                actor=staff_user(request), version=version, item=form.save(commit=False),
                expected_lock_version=form.cleaned_data.get("lock_version"),
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if getattr(request, "htmx", False):
                return plan_body_response(request, version)
            messages.success(request, _("Saved the %(item)s.") % {"item": ITEM_LABELS[kind]})
            return HttpResponseRedirect(_version_url(version) + f"#{kind}s")
    # Inline on the plan page (htmx) the form comes alone; otherwise as a page.
    template = (
        "treatment/_plan_item_inline.html" if getattr(request, "htmx", False) else "treatment/plan_item_form.html"
    )
    return render(
        request,
        template,
        {"form": form, "version": version, "patient": version.plan.episode.patient, "kind": kind,
         "item_label": ITEM_LABELS[kind], "instance": instance},
    )  # fmt: skip


@require_action(PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_item_remove(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    version = read_restricted_or_404(selectors.version_queryset(), request, PLAN_WRITE, view="plan_item_remove", pk=pk)
    if kind not in services.ITEM_MODELS:
        raise Http404("unknown plan item")
    instance = services.item_model(kind)._default_manager.filter(version=version, pk=item_pk).first()
    if instance is None:
        raise Http404("no such item")
    if request.method == "POST":
        lock = request.POST.get("lock_version", "")
        try:
            services.draft_item_remove(
                actor=staff_user(request), version=version, item=instance,
                expected_lock_version=parse_id(lock),
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Removed the %(item)s.") % {"item": ITEM_LABELS[kind]})
            return HttpResponseRedirect(_version_url(version))
    return render(
        request,
        "treatment/plan_item_remove.html",
        {
            "version": version,
            "patient": version.plan.episode.patient,
            "item": instance,
            "item_label": ITEM_LABELS[kind],
        },
    )


@require_action(TREATMENT_SIGN)
@require_http_methods(["GET", "POST"])
def plan_sign(request: HttpRequest, pk: int) -> HttpResponse:
    version = read_restricted_or_404(selectors.version_queryset(), request, TREATMENT_SIGN, view="plan_sign", pk=pk)
    form = forms.PlanSignForm(request.POST or None, initial={"lock_version": version.lock_version})
    if request.method == "POST" and form.is_valid() and version.is_draft:
        try:
            signed = services.plan_sign(
                actor=staff_user(request), version=version, acknowledgement=form.cleaned_data["acknowledgement"],
                acknowledgement_note=form.cleaned_data["acknowledgement_note"],
                expected_lock_version=form.cleaned_data.get("lock_version"),
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Plan version %(n)d signed and locked.") % {"n": signed.number})
            if signed.cosign_required:
                messages.info(request, _("Your signature needs a supervisor's co-signature."))
            return HttpResponseRedirect(_version_url(signed))
    context = {
        "form": form, "version": version, "patient": version.plan.episode.patient,
        "problems": services.sign_problems(version) if version.is_draft else [],
        "hours": selectors.hours_check(version),
    }  # fmt: skip
    return render(request, "treatment/plan_sign.html", context)


@require_action(TREATMENT_COSIGN)
@require_http_methods(["GET", "POST"])
def plan_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    version = read_restricted_or_404(selectors.version_queryset(), request, TREATMENT_COSIGN, view="plan_cosign", pk=pk)
    if request.method == "POST":
        try:
            services.plan_cosign(actor=staff_user(request), version=version)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Co-signed."))
            return HttpResponseRedirect(_version_url(version))
    return render(request, "treatment/cosign.html", {"record": version, "patient": version.plan.episode.patient,
                                                     "what": _("treatment plan version %(n)d") % {"n": version.number},
                                                     "back": _version_url(version),
                                                     "waiting": version.awaiting_cosignature})  # fmt: skip


@require_action(PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = read_restricted_or_404(
        TreatmentPlan.objects.select_related("episode__patient"), request, PLAN_WRITE, view="plan_revise", pk=pk
    )
    form = forms.ReviseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.plan_revise(actor=staff_user(request), plan=plan, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Version %(n)d started as a draft.") % {"n": draft.number})
            return HttpResponseRedirect(_version_url(draft))
    return render(request, "treatment/plan_revise.html", {"form": form, "plan": plan, "patient": plan.episode.patient})


@require_action(TREATMENT_VIEW)
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_restricted_or_404(
        TreatmentPlan.objects.select_related("episode__patient"), request, TREATMENT_VIEW, pk=pk
    )
    versions = list(plan.versions.order_by("number"))
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: PlanVersion | None) -> PlanVersion | None:
        number = parse_id(request.GET.get(name))
        return by_number.get(number) if number is not None else default

    right = pick("b", versions[-1] if versions else None)
    left = pick("a", next((v for v in reversed(versions) if right and v.number < right.number), None))
    rows = selectors.compare_versions(left, right) if left and right else []
    log_read(
        plan, data={"view": "plan_compare", "a": left.number if left else None, "b": right.number if right else None}
    )
    return render(
        request,
        "treatment/plan_compare.html",
        {"plan": plan, "patient": plan.episode.patient, "versions": versions, "left": left, "right": right,
         "rows": rows, "summary": plan_diff.summary(rows)},
    )  # fmt: skip
