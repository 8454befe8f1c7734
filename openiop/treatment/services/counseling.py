# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for SUD counseling notes: draft, edit the draft, sign and lock.

Only the author writes or signs. The audit log records each change with the
note's id and date, never its text: the event is visible to audit reviewers
and exported as CSV, and the text is for the author and supervisor alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.access import has_action
from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Episode
from openiop.treatment.models import CounselingNote, LockedRecordError, NoteStatus
from openiop.treatment.permissions import SUD_NOTES_WRITE


class StaleCounselingNoteError(ValidationError):
    pass


def _check(session_date: dt.date, text: str) -> str:
    if session_date > timezone.localdate():
        raise ValidationError({"session_date": _("The date of the conversation is in the future.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    return text.strip()


@transaction.atomic
def counseling_note_create(
    *, actor: User, episode: Episode, session_date: dt.date, text: str, sign: bool = False
) -> CounselingNote:
    """Write a counseling note on EPISODE (active), as a draft or signed at once."""
    if not has_action(actor, SUD_NOTES_WRITE):
        raise ValidationError(_("Your role does not write SUD counseling notes."))
    if episode.status != Episode.Status.ACTIVE:
        raise ValidationError(_("Notes are written on an active episode."))
    note = CounselingNote.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        author=actor,
        session_date=session_date,
        text=_check(session_date, text),
    )
    log_action("counseling_note.create", obj=note, actor=actor, data={"session_date": session_date})
    if sign:
        return _sign(note, actor)
    return note


def _lock_own_draft(note: CounselingNote, actor: User, expected_lock_version: int | None) -> CounselingNote:
    current: CounselingNote = CounselingNote.objects.select_for_update().get(pk=note.pk)
    if current.author_id != actor.pk:
        raise ValidationError(_("Only the author writes or signs a counseling note."))
    if current.is_signed:
        raise LockedRecordError(_("This counseling note is signed and locked."))
    if expected_lock_version is not None and current.lock_version != expected_lock_version:
        raise StaleCounselingNoteError(
            _("This note changed while you were editing it (in another window?). Your text was not saved; reload.")
        )
    return current


@transaction.atomic
def counseling_note_update(
    *, actor: User, note: CounselingNote, expected_lock_version: int | None, session_date: dt.date, text: str
) -> CounselingNote:
    current = _lock_own_draft(note, actor, expected_lock_version)
    current.session_date = session_date
    current.text = _check(session_date, text)
    current.lock_version += 1
    current.save()
    log_action("counseling_note.update", obj=current, actor=actor)
    return current


def _sign(note: CounselingNote, actor: User) -> CounselingNote:
    note.status = NoteStatus.SIGNED
    note.signed_at = timezone.now()
    note.save()
    log_action("counseling_note.sign", obj=note, actor=actor)
    return note


@transaction.atomic
def counseling_note_sign(*, actor: User, note: CounselingNote) -> CounselingNote:
    return _sign(_lock_own_draft(note, actor, None), actor)
