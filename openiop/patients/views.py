# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from openiop.accounts.models import User
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.audit.services import log_action, log_read
from openiop.core.access import allowed_actions, has_action
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients import chart, selectors, services
from openiop.patients.admission_steps import admission_step_messages
from openiop.patients.forms import AdmitForm, DischargeForm, LevelChangeForm, PatientForm
from openiop.patients.models import Episode, Patient
from openiop.patients.permissions import EPISODE_MANAGE, PATIENT_EDIT, PATIENT_VIEW
from openiop.sites.models import Site
from openiop.sites.permissions import SITE_VIEW


@require_action(PATIENT_VIEW)
def patient_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    page = Paginator(selectors.patient_list(user=request.user, search=search), 50).get_page(request.GET.get("page"))
    log_list_read("patient_search" if search else "patient_list", page, data={"search": search} if search else None)
    # Links only to what the user may do: no doors that answer 403.
    can_register = has_action(request.user, PATIENT_EDIT)
    return render(request, "patients/patient_list.html", {"page": page, "search": search, "can_register": can_register})


# Registering is a handful of people an hour at a busy front desk; a person
# checking far more often is looking people up, not registering them.
DUPLICATE_CHECK_RATES = ("30/h", "200/d")


def _duplicate_checks_exhausted(request: HttpRequest) -> bool:
    """Count this check against the user's limits; True when over one."""
    over = False
    for rate in DUPLICATE_CHECK_RATES:
        usage = get_usage(request, group=f"patients.duplicate_check.{rate}", key="user", rate=rate, increment=True)
        over = over or bool(usage and usage["should_limit"])
    return over


def _duplicate_check(request: HttpRequest, data: dict[str, Any]) -> selectors.DuplicateCheck:
    check = selectors.duplicate_check(
        user=request.user,
        phone=data["phone"],
        first_name=data["legal_first_name"],
        last_name=data["legal_last_name"],
        birth_date=data["birth_date"],
    )
    # Who looked, from which site, and what they were shown: ids only, and for
    # other sites' matches not even ids, only where to ask.
    log_action(
        "patients.duplicate_check",
        site_id=data["site"].pk,
        data={
            "by_phone": bool(data["phone"]),
            "openable_patient_ids": [patient.pk for patient in check.openable],
            "elsewhere_site_ids": [site.pk for site in check.ask_sites],
            "elsewhere_matches": check.hidden_count,
        },
    )
    return check


@require_action(PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_register(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.restrict(request.user, SITE_VIEW)
    form = PatientForm(request.POST or None, sites=sites)
    check = selectors.DuplicateCheck()
    status = 200
    if request.method == "POST" and form.is_valid() and _duplicate_checks_exhausted(request):
        log_action("patients.duplicate_check.limited", site_id=form.cleaned_data["site"].pk)
        form.add_error(
            None,
            _(
                "You have checked for existing charts many times in a short while, so registering is paused "
                "for you. Nothing you typed is lost: try again later, or ask a colleague or your supervisor."
            ),
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check = _duplicate_check(request, data)
        if check.found and not data.get("confirm_not_duplicate"):
            form.add_error(
                None, _("This may be someone already registered. Check the matches below before creating a new chart.")
            )
        else:
            try:
                patient = services.patient_register(site=data["site"], **form.patient_fields())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Registered %(name)s, MRN %(mrn)s.") % {"name": patient.display_name, "mrn": patient.mrn}
                )
                return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]))
    return render(
        request, "patients/patient_form.html", {"form": form, "check": check, "creating": True}, status=status
    )


@require_action(PATIENT_VIEW)
def patient_chart(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_restricted_or_404(selectors.patient_chart_queryset(), request, PATIENT_VIEW, pk=pk)
    log_read(patient, data={"view": "chart"})
    actions = allowed_actions(request.user)
    extra_tabs = chart.tabs_for(actions)
    tab = request.GET.get("tab", "overview")
    if tab not in {*chart.BUILT_IN_TABS, *(extra.key for extra in extra_tabs)}:
        tab = "overview"
    current = next((extra for extra in extra_tabs if extra.key == tab), None)
    line_tabs, more_tabs = chart.split_tabs(
        [
            chart.TabLink("overview", _("Overview")),
            chart.TabLink("episodes", _("Episodes of care")),
            chart.TabLink("contacts", _("Contacts and support")),
            *(chart.TabLink(extra.key, extra.label) for extra in extra_tabs),
        ]
    )
    episodes = list(patient.episodes.all())
    # Links to change or discharge only where the user may (an episode at a
    # site the user does not work at is shown, not offered).
    manageable = set(
        Episode.objects.restrict(request.user, EPISODE_MANAGE)
        .filter(patient=patient, status=Episode.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "patients/chart.html",
        {
            "patient": patient,
            "tab": tab,
            "extra_tabs": extra_tabs,
            "extra_tab": current,
            "line_tabs": line_tabs,
            "more_tabs": more_tabs,
            "current_in_more": next((link for link in more_tabs if link.key == tab), None),
            "extra_context": current.context(request, patient) if current else {},
            "episodes": episodes,
            "active_episode": next((e for e in episodes if e.status == "active"), None),
            "manageable_episode_ids": manageable,
            "can_edit": has_action(request.user, PATIENT_EDIT),
            "can_admit": has_action(request.user, EPISODE_MANAGE),
            # Allergies, a safety plan due for review: panels other apps add.
            "overview_panels": chart.overview_panels(request, patient, actions) if tab == "overview" else [],
        },
    )


@require_action(PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, PATIENT_EDIT, view="patient_edit", pk=pk)
    form = PatientForm(request.POST or None, instance=patient, sites=Site.objects.none())
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(
                patient=patient, expected_version=int(form.cleaned_data.get("version") or 0), **form.patient_fields()
            )
        except StaleEditError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]))
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient, "creating": False})


@require_action(EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_admit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, EPISODE_MANAGE, view="episode_admit", pk=pk)
    sites = Site.objects.restrict(request.user, SITE_VIEW)
    counsellors = User.objects.filter(
        is_active=True, sites__in=sites, roles__code__in=[RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR]
    ).distinct()
    form = AdmitForm(request.POST or None, sites=sites, counsellors=counsellors, initial={"site": patient.site_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_admit(
                actor=request.user,  # type: ignore[arg-type]
                patient=patient,
                site=data["site"],
                admission_date=data["admission_date"],
                level_of_care=data["level_of_care"],
                program=data["program"],
                primary_counsellor=data["primary_counsellor"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Admitted %(name)s.") % {"name": patient.display_name})
            # What the other apps offer next (privacy: the notice, 42 CFR 2.22).
            for next_step in admission_step_messages(request.user, patient):
                messages.info(request, next_step)
            return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]) + "?tab=episodes")
    return render(request, "patients/admit_form.html", {"form": form, "patient": patient})


def _episode(request: HttpRequest, pk: int) -> Episode:
    return get_restricted_or_404(
        Episode.objects.select_related("patient", "site", "continuing_care"), request, EPISODE_MANAGE, pk=pk
    )


def _episode_page(
    request: HttpRequest,
    episode: Episode,
    form: LevelChangeForm | DischargeForm | None,
    template: str,
    status: int = 200,
    closed_message: str = "",
) -> HttpResponse:
    context = {
        "episode": episode,
        "patient": episode.patient,
        "form": form,
        "changes": list(episode.level_changes.select_related("decided_by")),
        "closed_message": closed_message,
    }
    return render(request, template, context, status=status)


def _refuse_closed(request: HttpRequest, episode: Episode, template: str) -> HttpResponse:
    """A discharged episode is read-only: the page says so and offers no form;
    a change posted anyway (from an old tab) is refused with the same message."""
    message = services.episode_closed_message(episode)
    log_read(episode, data={"view": template, "read_only": True})
    status = 409 if request.method == "POST" else 200
    return _episode_page(request, episode, None, template, status=status, closed_message=message)


@require_action(EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_change_level(request: HttpRequest, pk: int) -> HttpResponse:
    """Step the episode down or up, with the date it takes effect and why."""
    template = "patients/episode_level_form.html"
    episode = _episode(request, pk)
    if episode.is_discharged:
        return _refuse_closed(request, episode, template)
    form = LevelChangeForm(request.POST or None, episode=episode)
    if request.method == "GET":
        log_read(episode, data={"view": "episode_level"})
    elif form.is_valid():
        data = form.cleaned_data
        try:
            change = services.episode_change_level(
                actor=request.user,  # type: ignore[arg-type]
                episode=episode,
                to_level=data["to_level"],
                effective_date=data["effective_date"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            # Stale edits and a discharge in the meantime arrive here too;
            # the form keeps what was typed.
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(direction)s to %(level)s from %(date)s recorded.")
                % {
                    "direction": change.direction_label,
                    "level": change.get_to_level_display(),
                    "date": f"{change.effective_date:%Y-%m-%d}",
                },
            )
            return HttpResponseRedirect(reverse("patients:chart", args=[episode.patient_id]) + "?tab=episodes")
    return _episode_page(request, episode, form, template)


@require_action(EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Discharge with the TEDS reason code and a continuing-care plan."""
    template = "patients/episode_discharge_form.html"
    episode = _episode(request, pk)
    if episode.is_discharged:
        return _refuse_closed(request, episode, template)
    form = DischargeForm(request.POST or None, episode=episode)
    if request.method == "GET":
        log_read(episode, data={"view": "episode_discharge"})
    elif form.is_valid():
        try:
            services.episode_discharge(
                actor=request.user,  # type: ignore[arg-type]
                episode=episode,
                expected_version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Discharged %(name)s.") % {"name": episode.patient.display_name})
            return HttpResponseRedirect(reverse("patients:chart", args=[episode.patient_id]) + "?tab=episodes")
    return _episode_page(request, episode, form, template)
