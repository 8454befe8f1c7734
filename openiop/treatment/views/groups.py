# SPDX-License-Identifier: AGPL-3.0-or-later
"""The group note: one page, every participant's section on it, pre-filled
from their plan, saved and signed in one action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.ascii_digits import parse_id
from openiop.core.views import attach_error
from openiop.patients.models import Patient
from openiop.treatment import selectors
from openiop.treatment.forms import GroupCreateForm, GroupHeaderForm, NoteSignForm
from openiop.treatment.models import GroupSession, Note, Objective
from openiop.treatment.permissions import COUNSELLING_NOTES, TREATMENT_COSIGN, TREATMENT_VIEW
from openiop.treatment.services import groups as services
from openiop.treatment.services import notes as note_services
from openiop.treatment.views.common import clinical_staff, user_sites

PARTICIPATION = list(Note.Participation.choices)


@require_action(TREATMENT_VIEW)
def group_list(request: HttpRequest) -> HttpResponse:
    sessions = list(
        GroupSession.objects.restrict(request.user, TREATMENT_VIEW)
        .select_related("site", "facilitator")
        .annotate(participants=Count("sections", distinct=True))
        .order_by("-session_date", "-start_time")[:100]
    )
    return render(
        request,
        "treatment/group_list.html",
        {"sessions": sessions, "can_write": has_action(request.user, COUNSELLING_NOTES)},
    )


@require_action(COUNSELLING_NOTES)
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    sites = user_sites(request.user)
    site_id = parse_id(request.GET.get("site"))
    site = sites.filter(pk=site_id).first() if site_id is not None else None
    site = site or sites.first()
    patients = (
        Patient.objects.restrict(request.user, TREATMENT_VIEW)
        .filter(episodes__site=site, episodes__status="active")
        .order_by("legal_last_name", "legal_first_name")
        .distinct()
    )
    now = timezone.localtime()
    form = GroupCreateForm(
        request.POST or None,
        staff=clinical_staff([site.pk] if site else []),
        patients=patients,
        initial={
            "session_date": now.date(),
            "start_time": "09:00",
            "end_time": "12:00",
            "facilitator": request.user.pk,
        },
    )
    if request.method == "POST" and form.is_valid() and site is not None:
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=staff_user(request), site=site, session_date=data["session_date"], start_time=data["start_time"],
                end_time=data["end_time"], topic=data["topic"], curriculum=data["curriculum"],
                curriculum_session=data["curriculum_session"], facilitator=data["facilitator"],
                patients=data["patients"],
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Group note opened: each section is pre-filled from the participant's plan."))
            return HttpResponseRedirect(reverse("treatment:group_edit", args=[group.pk]))
    return render(request, "treatment/group_create.html", {"form": form, "site": site, "sites": sites})


@dataclass
class Row:
    note: Note
    objectives: list[Objective]
    objective_id: int | None
    hint: str
    errors: list[str]


def _rows(group: GroupSession, posted: dict[int, services.SectionInput] | None = None) -> list[Row]:
    rows = []
    for note in (
        group.sections.select_related("patient", "episode")
        .prefetch_related("objective_links")
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    ):
        objectives = selectors.active_objectives(note.episode)
        links = list(note.objective_links.all())
        chosen = links[0].objective_id if links else None
        if posted and note.pk in posted:
            data = posted[note.pk]
            note.participation = data.participation
            note.minutes_attended = data.minutes_attended
            note.sections = {"response": data.response, "plan": data.plan}
            chosen = data.objective_id
        hint = next((o.goal.patient_words for o in objectives if o.pk == chosen and o.goal.patient_words), "")
        rows.append(Row(note, objectives, chosen, hint, []))
    return rows


def _int(value: str) -> int | None:
    return parse_id(value)


def _posted_sections(request: HttpRequest, group: GroupSession) -> dict[int, services.SectionInput]:
    sections = {}
    for pk in group.sections.values_list("pk", flat=True):
        prefix = f"p{pk}-"
        if f"{prefix}participation" not in request.POST:
            continue
        sections[pk] = services.SectionInput(
            participation=request.POST.get(f"{prefix}participation", ""),
            minutes_attended=_int(request.POST.get(f"{prefix}minutes", "")),
            objective_id=_int(request.POST.get(f"{prefix}objective", "")),
            response=request.POST.get(f"{prefix}response", ""),
            plan=request.POST.get(f"{prefix}plan", ""),
        )
    return sections


@require_action(COUNSELLING_NOTES)
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_restricted_or_404(selectors.group_queryset(), request, COUNSELLING_NOTES, pk=pk)
    # The page shows every attendee's section.
    log_read(group, data={"view": "group", "patients": list(group.sections.values_list("patient_id", flat=True))})
    signed = group.status != "draft"
    header = GroupHeaderForm(request.POST or None, instance=group, initial={"lock_version": group.lock_version})
    posted = _posted_sections(request, group) if request.method == "POST" else None
    if request.method == "POST" and getattr(request, "htmx", False) and "check" in request.POST:
        # Live name check while typing: nothing is saved.
        group.narrative = request.POST.get("narrative", "")
        rows = _rows(group, posted)
        warnings = services.name_warnings(group, [row.note for row in rows])
        return render(request, "treatment/_group_warnings.html", {"warnings": warnings})
    if request.method == "POST" and not signed and header.is_valid():
        done = _save_and_sign(request, group, header, posted or {})
        if done is not None:
            return done
    group.refresh_from_db()
    rows = _rows(group, posted)
    can_cosign = has_action(request.user, TREATMENT_COSIGN) and any(
        row.note.awaiting_cosignature and row.note.author_id != request.user.pk for row in rows
    )
    # Before an early or late signature the page asks, as a note's sign page does.
    timing = "" if signed else note_services.entry_timing(group, timezone.now())
    return render(
        request,
        "treatment/group_edit.html",
        {
            "group": group, "header": header, "rows": rows, "signed": signed, "participation": PARTICIPATION,
            "absent": Note.Participation.ABSENT, "warnings": services.name_warnings(group, [r.note for r in rows]),
            "can_cosign": can_cosign, "is_author": group.created_by_id == request.user.pk,
            "notices": services.group_notices(group), "timing": timing,
            "question": note_services.entry_reason_question(group, timing) if timing else "",
            "entry_form": NoteSignForm(request.POST if request.method == "POST" else None),
        },
    )  # fmt: skip


def _save_and_sign(
    request: HttpRequest, group: GroupSession, header: GroupHeaderForm, posted: dict[int, services.SectionInput]
) -> HttpResponse | None:
    """Save the page; with "sign", then sign everything. None when the page
    should be shown again with the header form's errors."""
    data = {name: header.cleaned_data[name] for name in services.HEADER_FIELDS}
    try:
        services.group_save(
            actor=staff_user(request), group=group, expected_lock_version=header.cleaned_data.get("lock_version"),
            header=data, sections=posted,
        )  # fmt: skip
    except ValidationError as exc:
        attach_error(request, header, exc)
        return None
    again = HttpResponseRedirect(reverse("treatment:group_edit", args=[group.pk]))
    if "sign" not in request.POST:
        messages.success(request, _("Saved. Nothing is signed yet."))
        return again
    group.refresh_from_db()
    try:
        signed = services.group_sign_all(
            actor=staff_user(request), group=group, entry_reason=request.POST.get("entry_reason", "")
        )
    except ValidationError as exc:  # EntryReasonNeeded too: its message is the question
        messages.error(request, _("Saved, but not signed."))
        for message in exc.messages:
            messages.error(request, message)
        return again
    messages.success(request, _("Signed the narrative and every participant's section."))
    if note_services.entry_timing(signed, signed.signed_at or timezone.now()):
        messages.info(request, _("Recorded as an early or late entry, with your reason."))
    return again


@require_action(TREATMENT_COSIGN)
@require_http_methods(["GET", "POST"])
def group_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_restricted_or_404(selectors.group_queryset(), request, TREATMENT_COSIGN, pk=pk)
    waiting = [s for s in group.sections.all() if s.awaiting_cosignature]
    if request.method == "POST":
        try:
            for section in waiting:
                note_services.note_cosign(actor=staff_user(request), note=section)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Co-signed %(n)d sections.") % {"n": len(waiting)})
            return HttpResponseRedirect(reverse("treatment:group_list"))
    context: dict[str, Any] = {
        "record": group, "what": _("group note %(group)s (%(n)d sections)") % {"group": group, "n": len(waiting)},
        "back": reverse("treatment:group_list"), "patient": None, "waiting": bool(waiting),
    }  # fmt: skip
    return render(request, "treatment/cosign.html", context)
