# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.ascii_digits import parse_id
from openiop.core.views import attach_error
from openiop.patients.models import Episode, Patient, SupportPerson
from openiop.treatment import conf, formats, selectors, service_codes
from openiop.treatment.forms import AddendumForm, HomeworkCompleteForm, HomeworkForm, NoteForm, NoteSignForm
from openiop.treatment.models import Homework, Note
from openiop.treatment.permissions import (
    NOTE_WRITE,
    SUD_NOTES_WRITE,
    TREATMENT_COSIGN,
    TREATMENT_SIGN,
    TREATMENT_VIEW,
)
from openiop.treatment.services import notes as services


def _note_url(note: Note) -> str:
    return reverse("treatment:note_detail", args=[note.pk])


def _family_people(episode: Episode, kind: str) -> Any:
    if kind != Note.Kind.FAMILY:
        return None
    return SupportPerson.objects.filter(patient=episode.patient_id, may_join_family_therapy=True)


@require_action(NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, NOTE_WRITE, view="note_create", pk=patient_pk)
    episode = Episode.objects.restrict(request.user, NOTE_WRITE).filter(patient=patient, status="active").first()
    kinds = services.kinds_for(request.user)
    kind = request.GET.get("kind", "")
    note_format = request.GET.get("format", "")
    chosen = kind in {k for k, _label in kinds} and note_format in formats.FORMATS and note_format != "GROUP"
    context: dict[str, Any] = {
        "patient": patient, "episode": episode, "kinds": kinds, "formats": formats.INDIVIDUAL_FORMATS,
        "kind": kind, "note_format": note_format, "can_write_counseling": has_action(request.user, SUD_NOTES_WRITE),
    }  # fmt: skip
    if episode is None or not chosen:
        return render(request, "treatment/note_choose.html", context)
    now = timezone.localtime()
    form = NoteForm(
        request.POST or None,
        note_format=note_format,
        objectives=selectors.active_objectives(episode),
        attendees=_family_people(episode, kind),
        initial={"session_date": now.date(), "start_time": now.replace(minute=0).time(), "end_time": now.time()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_create(
                actor=staff_user(request), episode=episode, kind=kind, note_format=note_format,
                session_date=data["session_date"], start_time=data["start_time"], end_time=data["end_time"],
                sections=form.sections(), objectives=data["objectives"], attendees=data.get("attendees") or [],
                service_code=data["service_code"] or None, modality=data["modality"],
                place_of_service=data["place_of_service"] or None,
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if "sign" in request.POST:
                return _sign_and_redirect(request, note)
            messages.success(request, _("Draft saved."))
            return HttpResponseRedirect(_note_url(note))
    context.update(form=form, kind_label=Note.Kind(kind).label, format=formats.FORMATS[note_format])
    return render(request, "treatment/note_form.html", context)


def _sign_and_redirect(request: HttpRequest, note: Note, entry_reason: str | None = None) -> HttpResponse:
    """Sign NOTE. Signing before the session has ended, or past the late-entry
    window, first asks the signer to confirm and say why (the sign page)."""
    if entry_reason is None:
        if services.entry_timing(note, timezone.now()):
            return HttpResponseRedirect(reverse("treatment:note_sign", args=[note.pk]))
        entry_reason = ""
    try:
        signed = services.note_sign(actor=staff_user(request), note=note, entry_reason=entry_reason)
    except services.EntryReasonNeeded:
        return HttpResponseRedirect(reverse("treatment:note_sign", args=[note.pk]))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("treatment:note_edit", args=[note.pk]))
    messages.success(request, _("Note signed and locked."))
    if signed.early_entry:
        messages.info(request, _("Recorded as an early entry, with your reason."))
    if signed.late_entry:
        messages.warning(request, _("Signed more than %(h)d hours after the session: flagged as a late entry.")
                         % {"h": conf.note_late_hours()})  # fmt: skip
    if signed.cosign_required:
        messages.info(request, _("Your signature needs a supervisor's co-signature."))
    return HttpResponseRedirect(_note_url(signed))


@require_action(TREATMENT_VIEW)
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_restricted_or_404(selectors.note_queryset(), request, TREATMENT_VIEW, pk=pk)
    log_read(note, data={"view": "note"})
    note_format = formats.FORMATS[note.note_format]
    return render(
        request,
        "treatment/note_detail.html",
        {
            "note": note,
            "patient": note.patient,
            "sections": [(s, note.sections.get(s.key, "")) for s in note_format.sections],
            "format": note_format,
            "can_edit": not note.is_signed
            and note.author_id == request.user.pk
            and has_action(request.user, NOTE_WRITE),
            "can_addend": note.is_signed and has_action(request.user, NOTE_WRITE),
            "can_cosign": note.awaiting_cosignature
            and has_action(request.user, TREATMENT_COSIGN)
            and note.author_id != request.user.pk,
            "can_homework": has_action(request.user, NOTE_WRITE) and note.episode.status == Episode.Status.ACTIVE,
            "session_end": note.session_end_at_site,
            "late_hours": conf.note_late_hours(),
        },
    )


@require_action(NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = read_restricted_or_404(selectors.note_queryset(), request, NOTE_WRITE, view="note_edit", pk=pk)
    if note.is_signed or note.group_id is not None:
        if request.method == "POST":
            messages.error(request, _("This note is signed and locked. Add a dated addendum instead of editing it."))
            return HttpResponseRedirect(_note_url(note))
        target = reverse("treatment:group_edit", args=[note.group_id]) if note.group_id and not note.is_signed else None
        return render(
            request, "treatment/note_locked.html", {"note": note, "patient": note.patient, "group_url": target}
        )
    if note.author_id != request.user.pk:
        if request.method == "POST":
            messages.error(request, _("Only the author edits or signs a draft note."))
            return HttpResponseRedirect(_note_url(note))
        context = {"note": note, "patient": note.patient, "not_author": True}
        return render(request, "treatment/note_locked.html", context)
    form = NoteForm(
        request.POST or None,
        note_format=note.note_format,
        objectives=selectors.active_objectives(note.episode),
        attendees=_family_people(note.episode, note.kind),
        initial={
            "lock_version": note.lock_version, "session_date": note.session_date, "start_time": note.start_time,
            "end_time": note.end_time, "objectives": [link.objective_id for link in note.objective_links.all()],
            "service_code": note.service_code, "modality": note.modality, "place_of_service": note.place_of_service,
            "attendees": [link.person_id for link in note.attendee_links.all()],
            **{f"section_{key}": value for key, value in note.sections.items()},
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_update(
                actor=staff_user(request), note=note, expected_lock_version=data.get("lock_version"),
                session_date=data["session_date"], start_time=data["start_time"], end_time=data["end_time"],
                sections=form.sections(), objectives=data["objectives"],
                attendees=data.get("attendees") if "attendees" in form.fields else None,
                service_code=data["service_code"], modality=data["modality"],
                place_of_service=data["place_of_service"] or service_codes.suggested_place_of_service(data["modality"]),
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if "sign" in request.POST:
                return _sign_and_redirect(request, note)
            messages.success(request, _("Draft saved."))
            return HttpResponseRedirect(_note_url(note))
    return render(
        request,
        "treatment/note_form.html",
        {"form": form, "note": note, "patient": note.patient, "kind_label": note.get_kind_display(),
         "format": formats.FORMATS[note.note_format], "problems": services.sign_problems(note)},
    )  # fmt: skip


@require_action(TREATMENT_SIGN)
@require_http_methods(["GET", "POST"])
def note_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page: what is missing, and before an early or late
    signature the question and the reason field."""
    note = read_restricted_or_404(selectors.note_queryset(), request, TREATMENT_SIGN, view="note_sign", pk=pk)
    timing = "" if note.is_signed else services.entry_timing(note, timezone.now())
    question = services.entry_reason_question(note, timing) if timing else ""
    form = NoteSignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:  # the service's own rule, so the page and the signature never disagree
            reason = services.checked_entry_reason(note, timezone.now(), form.cleaned_data["entry_reason"])
        except services.EntryReasonNeeded as refused:
            form.add_error("entry_reason", refused.messages[0])
        else:
            return _sign_and_redirect(request, note, entry_reason=reason)
    problems = [] if note.is_signed else services.sign_problems(note)
    context = {
        "note": note, "patient": note.patient, "problems": problems, "form": form, "timing": timing,
        "question": question,
    }  # fmt: skip
    return render(request, "treatment/note_sign.html", context)


@require_action(TREATMENT_COSIGN)
@require_http_methods(["GET", "POST"])
def note_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    note = read_restricted_or_404(selectors.note_queryset(), request, TREATMENT_COSIGN, view="note_cosign", pk=pk)
    if request.method == "POST":
        try:
            services.note_cosign(actor=staff_user(request), note=note)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Co-signed."))
            return HttpResponseRedirect(_note_url(note))
    context = {
        "record": note, "patient": note.patient, "what": str(note), "back": _note_url(note),
        "waiting": note.awaiting_cosignature,
    }  # fmt: skip
    return render(request, "treatment/cosign.html", context)


@require_action(NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def note_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    note = read_restricted_or_404(selectors.note_queryset(), request, NOTE_WRITE, view="note_addendum", pk=pk)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.addendum_add(actor=staff_user(request), note=note, text=form.cleaned_data["text"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Addendum added."))
            return HttpResponseRedirect(_note_url(note))
    return render(request, "treatment/note_addendum.html", {"form": form, "note": note, "patient": note.patient})


@require_action(NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def homework_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, NOTE_WRITE, view="homework_create", pk=patient_pk)
    episode = Episode.objects.restrict(request.user, NOTE_WRITE).filter(patient=patient, status="active").first()
    note = None
    note_id = parse_id(request.GET.get("note"))
    if note_id is not None:
        note = Note.objects.restrict(request.user, NOTE_WRITE).filter(pk=note_id, patient=patient).first()
    form = HomeworkForm(
        request.POST or None, people=SupportPerson.objects.filter(patient=patient),
        initial={"assigned_to": Homework.AssignedTo.FAMILY if note and note.kind == Note.Kind.FAMILY else "patient"},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid() and episode is not None:
        data = form.cleaned_data
        try:
            services.homework_assign(
                actor=staff_user(request), episode=episode, note=note, assigned_to=data["assigned_to"],
                support_person=data["support_person"], description=data["description"], due_date=data["due_date"],
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Homework assigned."))
            back = _note_url(note) if note else reverse("patients:chart", args=[patient.pk]) + "?tab=notes"
            return HttpResponseRedirect(back)
    return render(
        request, "treatment/homework_form.html", {"form": form, "patient": patient, "episode": episode, "note": note}
    )


@require_action(NOTE_WRITE)
@require_http_methods(["GET", "POST"])
def homework_complete(request: HttpRequest, pk: int) -> HttpResponse:
    homework = read_restricted_or_404(
        Homework.objects.select_related("patient", "note"), request, NOTE_WRITE, view="homework_complete", pk=pk
    )
    form = HomeworkCompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.homework_complete(
                actor=staff_user(request), homework=homework, completed_on=form.cleaned_data["completed_on"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Marked complete."))
            return HttpResponseRedirect(reverse("patients:chart", args=[homework.patient_id]) + "?tab=notes")
    return render(
        request, "treatment/homework_complete.html", {"form": form, "homework": homework, "patient": homework.patient}
    )
