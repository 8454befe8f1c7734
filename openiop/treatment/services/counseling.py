# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for SUD counseling notes. A note is signed and locked as it is
saved: nothing else in the record refers to it, so there is no draft to
come back to, and a correction is a new note.

The audit log records the note's id and date, never its text: the event is
visible to audit reviewers and exported as CSV, and the text is for the
author and the author's clinical supervisor alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.access import has_action
from openiop.patients.models import Episode
from openiop.treatment.models import CounselingNote, NoteStatus
from openiop.treatment.permissions import SUD_NOTES_WRITE


@transaction.atomic
def counseling_note_create(*, actor: User, episode: Episode, session_date: dt.date, text: str) -> CounselingNote:
    """Write, sign and lock a counseling note on EPISODE (active)."""
    if not has_action(actor, SUD_NOTES_WRITE):
        raise ValidationError(_("Your role does not write SUD counseling notes."))
    if episode.status != Episode.Status.ACTIVE:
        raise ValidationError(_("Notes are written on an active episode."))
    if session_date > timezone.localdate():
        raise ValidationError({"session_date": _("The date of the conversation is in the future.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    note = CounselingNote.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        author=actor,
        session_date=session_date,
        text=text.strip(),
        status=NoteStatus.SIGNED,
        signed_at=timezone.now(),
    )
    log_action("counseling_note.sign", obj=note, actor=actor, data={"session_date": session_date})
    return note
