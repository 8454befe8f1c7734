# SPDX-License-Identifier: AGPL-3.0-or-later
"""SUD counseling notes: written and read by their author, read by the
author's clinical supervisor. Each page fetches through the counseling-note
scope rule, so anyone else gets a 404 (audited) like a record of another site."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.core.views import attach_error, read_restricted_or_404, require_action, staff_user
from openiop.patients.models import Episode, Patient
from openiop.treatment import selectors
from openiop.treatment.forms import CounselingNoteForm
from openiop.treatment.models import CounselingNote
from openiop.treatment.permissions import SUD_NOTES_SUPERVISE, SUD_NOTES_WRITE
from openiop.treatment.services import counseling as services


def _detail_url(note: CounselingNote) -> str:
    return reverse("treatment:counseling_note", args=[note.pk])


@require_action(SUD_NOTES_WRITE)
@require_http_methods(["GET", "POST"])
def counseling_note_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(
        Patient.objects.all(), request, SUD_NOTES_WRITE, view="counseling_note_create", pk=patient_pk
    )
    episode = Episode.objects.restrict(request.user, SUD_NOTES_WRITE).filter(patient=patient, status="active").first()
    form = CounselingNoteForm(request.POST or None, initial={"session_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and episode is not None:
        try:
            note = services.counseling_note_create(
                actor=staff_user(request),
                episode=episode,
                session_date=form.cleaned_data["session_date"],
                text=form.cleaned_data["text"],
                sign="sign" in request.POST,
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Counseling note signed and locked.") if note.is_signed else _("Draft saved."))
            return HttpResponseRedirect(_detail_url(note))
    context = {"form": form, "patient": patient, "episode": episode}
    return render(request, "treatment/counseling_note_form.html", context)


@require_action(SUD_NOTES_WRITE)
@require_GET
def counseling_note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's own note."""
    note = read_restricted_or_404(
        selectors.counseling_note_queryset(), request, SUD_NOTES_WRITE, view="counseling_note", pk=pk
    )
    return render(
        request, "treatment/counseling_note_detail.html", {"note": note, "patient": note.patient, "is_author": True}
    )


@require_action(SUD_NOTES_SUPERVISE)
@require_GET
def counseling_note_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisee's note, read by their clinical supervisor."""
    note = read_restricted_or_404(
        selectors.counseling_note_queryset(), request, SUD_NOTES_SUPERVISE, view="counseling_note_supervise", pk=pk
    )
    return render(
        request, "treatment/counseling_note_detail.html", {"note": note, "patient": note.patient, "is_author": False}
    )


@require_action(SUD_NOTES_WRITE)
@require_http_methods(["GET", "POST"])
def counseling_note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = read_restricted_or_404(
        selectors.counseling_note_queryset(), request, SUD_NOTES_WRITE, view="counseling_note_edit", pk=pk
    )
    if note.is_signed:
        if request.method == "POST":
            messages.error(request, _("This counseling note is signed and locked."))
        return HttpResponseRedirect(_detail_url(note))
    form = CounselingNoteForm(
        request.POST or None,
        initial={"lock_version": note.lock_version, "session_date": note.session_date, "text": note.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.counseling_note_update(
                actor=staff_user(request),
                note=note,
                expected_lock_version=form.cleaned_data.get("lock_version"),
                session_date=form.cleaned_data["session_date"],
                text=form.cleaned_data["text"],
            )
            if "sign" in request.POST:
                note = services.counseling_note_sign(actor=staff_user(request), note=note)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Counseling note signed and locked.") if note.is_signed else _("Draft saved."))
            return HttpResponseRedirect(_detail_url(note))
    context = {"form": form, "patient": note.patient, "episode": note.episode, "note": note}
    return render(request, "treatment/counseling_note_form.html", context)
