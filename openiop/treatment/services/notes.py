# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for clinical notes: draft, sign and lock, co-sign, addenda, family
attendees and homework. Signing is refused on an incomplete note; a signed
note changes only by dated, attributed addenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.access import has_action
from openiop.core.locking import check_version
from openiop.patients.models import Episode, SupportPerson
from openiop.treatment import conf, formats, rules, service_codes, signals
from openiop.treatment.models import (
    Addendum,
    Homework,
    LockedRecordError,
    Note,
    NoteAttendee,
    NoteObjective,
    NoteStatus,
    Objective,
    PlanVersion,
)
from openiop.treatment.permissions import COUNSELLING_NOTES, MEDICATION_NOTES

NOTE_FIELDS = (
    "session_date", "start_time", "end_time", "sections", "participation", "minutes_attended",
    "service_code", "modality", "place_of_service",
)  # fmt: skip


class EntryReasonNeeded(ValidationError):
    """Signing now is early (or late): the signer must confirm and say why."""


def kind_action(kind: str) -> str:
    return MEDICATION_NOTES if kind == Note.Kind.MEDICATION_MANAGEMENT else COUNSELLING_NOTES


def kinds_for(user: Any) -> list[tuple[str, Any]]:
    """Note kinds (besides group sections) the user's roles may write."""
    return [
        (value, label)
        for value, label in Note.Kind.choices
        if value != Note.Kind.GROUP and has_action(user, kind_action(value))
    ]


def _signed_error() -> LockedRecordError:
    return LockedRecordError(_("This note is signed and locked. Add a dated addendum instead of editing it."))


def _check_objectives(episode: Episode, objectives: Iterable[Objective]) -> list[Objective]:
    chosen = list(objectives)
    foreign = [
        o for o in chosen if o.version.plan.episode_id != episode.pk or o.version.status == PlanVersion.Status.DRAFT
    ]
    if foreign:
        raise ValidationError(_("Objectives must come from this episode's signed treatment plan."))
    return chosen


def _check_attendees(note_kind: str, episode: Episode, attendees: Iterable[SupportPerson]) -> list[SupportPerson]:
    people = list(attendees)
    if people and note_kind != Note.Kind.FAMILY:
        raise ValidationError(_("Family and support people attend family-therapy sessions only."))
    for person in people:
        if person.patient_id != episode.patient_id:
            raise ValidationError(_("%(name)s is not one of this patient's support people.") % {"name": person.name})
        if not person.may_join_family_therapy:
            raise ValidationError(
                _("%(name)s has not agreed to join family therapy; record that on the contacts tab first.")
                % {"name": person.name}
            )
    return people


def _check_coding(service_code: str, modality: str, place_of_service: str) -> None:
    if modality not in {value for value, _label in service_codes.MODALITIES}:
        raise ValidationError({"modality": _("Choose in person, telehealth audio and video, or audio only.")})
    if place_of_service not in {value for value, _label in service_codes.PLACES_OF_SERVICE}:
        raise ValidationError({"place_of_service": _("Choose a place of service from the list.")})
    problems = service_codes.coding_problems(
        service_code=service_code, modality=modality, place_of_service=place_of_service
    )
    if problems:
        raise ValidationError(problems)


def _check_times(session_date: dt.date, start: dt.time, end: dt.time) -> None:
    if end <= start:
        raise ValidationError({"end_time": _("The session must end after it starts.")})
    if session_date > timezone.localdate():
        raise ValidationError({"session_date": _("The date of service is in the future.")})


@transaction.atomic
def note_create(
    *,
    actor: User,
    episode: Episode,
    kind: str,
    note_format: str,
    session_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    sections: Mapping[str, str],
    objectives: Iterable[Objective] = (),
    attendees: Iterable[SupportPerson] = (),
    service_code: str | None = None,
    modality: str = service_codes.IN_PERSON,
    place_of_service: str | None = None,
) -> Note:
    """A draft note. A service code or place of service left out (None) is
    the usual one for the kind, length and modality (service_codes.py)."""
    if kind == Note.Kind.GROUP:
        raise ValidationError(_("Group notes are written from the group session page."))
    if kind not in Note.Kind.values:
        raise ValidationError(_("Unknown kind of note."))
    if not has_action(actor, kind_action(kind)):
        raise ValidationError(_("Your role does not write %(kind)s notes.") % {"kind": Note.Kind(kind).label})
    if note_format not in {f.code for f in formats.INDIVIDUAL_FORMATS}:
        raise ValidationError(_("Choose a DAP, SOAP or BIRP template."))
    if episode.status != Episode.Status.ACTIVE:
        raise ValidationError(_("Notes are written on an active episode."))
    _check_times(session_date, start_time, end_time)
    if service_code is None:
        service_code = service_codes.suggested_service_code(kind, rules.minutes_between(start_time, end_time))
    if place_of_service is None:
        place_of_service = service_codes.suggested_place_of_service(modality)
    _check_coding(service_code, modality, place_of_service)
    chosen = _check_objectives(episode, objectives)
    people = _check_attendees(kind, episode, attendees)
    note = Note.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        kind=kind,
        note_format=note_format,
        session_date=session_date,
        start_time=start_time,
        end_time=end_time,
        author=actor,
        sections=_clean_sections(note_format, sections),
        service_code=service_code,
        modality=modality,
        place_of_service=place_of_service,
    )
    NoteObjective.objects.bulk_create([NoteObjective(note=note, objective=o) for o in chosen])
    NoteAttendee.objects.bulk_create([NoteAttendee(note=note, person=p) for p in people])
    log_action("note.create", obj=note, actor=actor, data={"kind": kind, "format": note_format})
    return note


def _clean_sections(note_format: str, sections: Mapping[str, str]) -> dict[str, str]:
    keys = {s.key for s in formats.FORMATS[note_format].sections}
    return {key: str(sections.get(key, "")).strip() for key in keys}


def _lock_draft(note: Note, actor: User, expected_lock_version: int | None) -> Note:
    current: Note = Note.objects.select_for_update().get(pk=note.pk)
    if current.status != NoteStatus.DRAFT:
        raise _signed_error()
    if current.author_id != actor.pk:
        raise ValidationError(_("Only the author edits or signs a draft note."))
    check_version(
        current.lock_version,
        expected_lock_version,
        _("Someone else changed this note while you were editing. Your changes were not saved; reload to see them."),
    )
    return current


@transaction.atomic
def note_update(
    *,
    actor: User,
    note: Note,
    expected_lock_version: int | None,
    objectives: Iterable[Objective] | None = None,
    attendees: Iterable[SupportPerson] | None = None,
    **fields: Any,
) -> Note:
    """Change a draft; a signed note is refused (LockedRecordError)."""
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise TypeError(f"unknown note fields: {sorted(unknown)}")
    current = _lock_draft(note, actor, expected_lock_version)
    for name, value in fields.items():
        if name == "sections":
            value = _clean_sections(current.note_format, value)
        setattr(current, name, value)
    _check_times(current.session_date, current.start_time, current.end_time)
    if not current.service_code and current.kind != Note.Kind.GROUP:
        current.service_code = service_codes.suggested_service_code(
            current.kind, rules.minutes_between(current.start_time, current.end_time)
        )
    _check_coding(current.service_code, current.modality, current.place_of_service)
    current.lock_version += 1
    current.save()
    if objectives is not None:
        chosen = _check_objectives(current.episode, objectives)
        NoteObjective.objects.filter(note=current).exclude(objective__in=chosen).delete()
        have = set(NoteObjective.objects.filter(note=current).values_list("objective_id", flat=True))
        NoteObjective.objects.bulk_create(
            [NoteObjective(note=current, objective=o) for o in chosen if o.pk not in have]
        )
    if attendees is not None:
        people = _check_attendees(current.kind, current.episode, attendees)
        NoteAttendee.objects.filter(note=current).exclude(person__in=people).delete()
        have = set(NoteAttendee.objects.filter(note=current).values_list("person_id", flat=True))
        NoteAttendee.objects.bulk_create([NoteAttendee(note=current, person=p) for p in people if p.pk not in have])
    log_action("note.update", obj=current, actor=actor, data={"fields": sorted(fields)})
    return current


def sign_problems(note: Note) -> list[str]:
    """Why NOTE cannot be signed yet (empty when it can)."""
    problems = [
        _("%(section)s is empty.") % {"section": section.label}
        for section in formats.missing_sections(note.note_format, note.sections)
    ]
    if note.kind == Note.Kind.GROUP:
        absent = note.participation == Note.Participation.ABSENT
        if absent:
            problems = []
        if not note.participation:
            problems.append(_("Choose a participation level."))
        if note.minutes_attended is None:
            problems.append(_("Enter the minutes attended."))
        elif note.group is not None and note.minutes_attended > note.group.duration_minutes:
            problems.append(
                _("Minutes attended (%(minutes)d) exceed the session's %(total)d minutes.")
                % {"minutes": note.minutes_attended, "total": note.group.duration_minutes}
            )
    elif not note.service_code:
        problems.append(_("Choose the service code."))
    if note.end_time <= note.start_time:
        problems.append(_("The session must end after it starts."))
    return problems


class SessionRecord(Protocol):
    """A note or a group note: anything signed against a session's end."""

    @property
    def session_end_at_site(self) -> dt.datetime: ...


def entry_timing(record: SessionRecord, moment: dt.datetime) -> str:
    """Whether signing at MOMENT is "early" (before the session ended, on the
    site's clock), "late" (past the late-entry window) or neither ("")."""
    end = record.session_end_at_site
    if rules.is_early_entry(end, moment):
        return "early"
    if rules.is_late_entry(end, moment, conf.note_late_hours()):
        return "late"
    return ""


def entry_reason_question(record: SessionRecord, timing: str) -> str:
    """What the signer is asked before an early or late signature."""
    end = record.session_end_at_site
    if timing == "early":
        return _(
            "This session ends at %(end)s %(zone)s on %(date)s and has not ended yet. Signing now records an "
            "early entry: confirm and say why (for example, the patient left early)."
        ) % {"end": f"{end:%H:%M}", "zone": end.tzname(), "date": f"{end:%Y-%m-%d}"}
    return _(
        "This session ended more than %(h)d hours ago. Signing now records a late entry: say why it is documented late."
    ) % {"h": conf.note_late_hours()}


def checked_entry_reason(record: SessionRecord, moment: dt.datetime, entry_reason: str) -> str:
    """The one early- and late-entry rule for every signature, an individual
    note's and a group note's sections alike: signing before the session has
    ended (site's clock) or past the late-entry window needs the signer's
    reason, refused with EntryReasonNeeded (carrying the question to ask)
    without one. Returns the reason to record: none for an on-time signature."""
    timing = entry_timing(record, moment)
    if timing and not entry_reason.strip():
        raise EntryReasonNeeded(entry_reason_question(record, timing))
    return entry_reason.strip() if timing else ""


def _sign(note: Note, actor: User, moment: dt.datetime, entry_reason: str = "") -> Note:
    timing = entry_timing(note, moment)
    note.status = NoteStatus.SIGNED
    note.signed_at = moment
    note.late_entry = timing == "late"
    note.early_entry = timing == "early"
    note.entry_reason = entry_reason.strip() if timing else ""
    note.cosign_required = actor.requires_cosignature
    note.save()
    log_action(
        "note.sign",
        obj=note,
        actor=actor,
        data={
            "kind": note.kind,
            "late_entry": note.late_entry,
            "early_entry": note.early_entry,
            "entry_reason": note.entry_reason,
            "cosign_required": note.cosign_required,
        },
    )
    signals.note_signed.send(sender=Note, note=note)
    return note


@transaction.atomic
def note_sign(*, actor: User, note: Note, now: dt.datetime | None = None, entry_reason: str = "") -> Note:
    """Sign and lock. An incomplete note is refused with the reasons. Before
    the session has ended, or more than conf.note_late_hours() after it, the
    signer must give ENTRY_REASON (checked_entry_reason: an early or late
    entry, refused with EntryReasonNeeded without one). NOW is for demo
    seeding; views never pass it."""
    current = _lock_draft(note, actor, None)
    if current.group_id is not None:
        raise ValidationError(_("Group sections are signed together from the group session page."))
    problems = sign_problems(current)
    if problems:
        raise ValidationError([_("The note cannot be signed yet:"), *problems])
    moment = now or timezone.now()
    reason = checked_entry_reason(current, moment, entry_reason)
    return _sign(current, actor, moment, reason)


@transaction.atomic
def note_cosign(*, actor: User, note: Note, now: dt.datetime | None = None) -> Note:
    current: Note = Note.objects.select_for_update().get(pk=note.pk)
    if not current.awaiting_cosignature:
        raise ValidationError(_("This note is not waiting for a co-signature."))
    if current.author_id == actor.pk:
        raise ValidationError(_("A co-signature must come from someone other than the author."))
    current.cosigned_by = actor
    current.cosigned_at = now or timezone.now()
    current.save(update_fields=["cosigned_by", "cosigned_at"])
    log_action("note.cosign", obj=current, actor=actor)
    return current


@transaction.atomic
def addendum_add(*, actor: User, note: Note, text: str) -> Addendum:
    if not note.is_signed:
        raise ValidationError(_("This note is still a draft: edit it instead of adding an addendum."))
    if not text.strip():
        raise ValidationError({"text": _("Write the addendum.")})
    addendum = Addendum.objects.create(note=note, author=actor, text=text.strip())
    log_action("note.addendum", obj=note, actor=actor, data={"addendum_id": addendum.pk})
    signals.note_corrected.send(sender=Note, note=note)
    return addendum


@transaction.atomic
def homework_assign(
    *,
    actor: User,
    episode: Episode,
    description: str,
    due_date: dt.date,
    assigned_to: str = Homework.AssignedTo.PATIENT,
    support_person: SupportPerson | None = None,
    note: Note | None = None,
) -> Homework:
    if not description.strip():
        raise ValidationError({"description": _("Describe the assignment.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    if support_person is not None and support_person.patient_id != episode.patient_id:
        raise ValidationError({"support_person": _("Choose one of this patient's support people.")})
    if assigned_to == Homework.AssignedTo.PATIENT and support_person is not None:
        raise ValidationError({"support_person": _("Homework for the patient alone names no family member.")})
    if note is not None and note.episode_id != episode.pk:
        raise ValidationError(_("The note belongs to another episode."))
    homework = Homework.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        note=note,
        assigned_to=assigned_to,
        support_person=support_person,
        description=description.strip(),
        due_date=due_date,
        created_by=actor,
    )
    log_action("homework.assign", obj=homework, actor=actor, data={"assigned_to": assigned_to, "due": due_date})
    return homework


@transaction.atomic
def homework_complete(*, actor: User, homework: Homework, completed_on: dt.date, note: str = "") -> Homework:
    current = Homework.objects.select_for_update().get(pk=homework.pk)
    if current.completed_on is not None:
        raise ValidationError(_("This assignment is already marked complete."))
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date is in the future.")})
    current.completed_on = completed_on
    current.completion_note = note.strip()
    current.save(update_fields=["completed_on", "completion_note"])
    log_action("homework.complete", obj=current, actor=actor, data={"completed_on": completed_on})
    return current
