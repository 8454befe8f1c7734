# SPDX-License-Identifier: AGPL-3.0-or-later
"""SUD counseling notes of one patient: the author's own page (read and
write) and the clinical supervisor's page (read). Each lists only what the
counseling-note scope rule lets the user read, so everyone else finds an
empty page: the chart's notes tab already says how many notes exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.views import attach_error
from openiop.patients.models import Episode, Patient
from openiop.treatment import selectors
from openiop.treatment.forms import CounselingNoteForm
from openiop.treatment.permissions import SUD_NOTES_SUPERVISE, SUD_NOTES_WRITE
from openiop.treatment.services import counseling as services


@require_action(SUD_NOTES_WRITE)
@require_http_methods(["GET", "POST"])
def counseling_notes(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The user's own counseling notes of this patient, and a new one."""
    patient = read_restricted_or_404(
        Patient.objects.all(), request, SUD_NOTES_WRITE, view="counseling_notes", pk=patient_pk
    )
    episode = Episode.objects.restrict(request.user, SUD_NOTES_WRITE).filter(patient=patient, status="active").first()
    form = CounselingNoteForm(request.POST or None, initial={"session_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and episode is not None:
        try:
            services.counseling_note_create(
                actor=staff_user(request),
                episode=episode,
                session_date=form.cleaned_data["session_date"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Counseling note signed and locked."))
            return HttpResponseRedirect(reverse("treatment:counseling_notes", args=[patient.pk]))
    context = {
        "patient": patient,
        "episode": episode,
        "form": form,
        "notes": selectors.counseling_notes_summary(patient, request.user).own,
        "supervising": False,
    }
    return render(request, "treatment/counseling_notes.html", context)


@require_action(SUD_NOTES_SUPERVISE)
@require_GET
def counseling_notes_supervised(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The counseling notes of this patient written by staff the user
    clinically supervises."""
    patient = read_restricted_or_404(
        Patient.objects.all(), request, SUD_NOTES_SUPERVISE, view="counseling_notes_supervised", pk=patient_pk
    )
    context = {
        "patient": patient,
        "notes": selectors.counseling_notes_summary(patient, request.user).supervised,
        "supervising": True,
    }
    return render(request, "treatment/counseling_notes.html", context)
