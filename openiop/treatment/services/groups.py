# SPDX-License-Identifier: AGPL-3.0-or-later
"""Group notes: one shared narrative, one individualized section per
participant, signed together in one action.

Each section is a ``Note`` on the participant's own episode, pre-filled from
that participant's plan (first active objective, full minutes,
"participated"), so individualizing a dozen sections is a matter of minutes.
The shared narrative lands in every participant's chart and each section in
its own, so neither may name another participant: signing is refused while a
participant's name appears where others would read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site
from openiop.treatment import rules, selectors, service_codes
from openiop.treatment.models import GroupSession, LockedRecordError, Note, NoteObjective, NoteStatus, Objective
from openiop.treatment.services.notes import _sign, checked_entry_reason, entry_timing, sign_problems

MAX_PARTICIPANTS = 20
HEADER_FIELDS = ("session_date", "start_time", "end_time", "topic", "curriculum", "curriculum_session", "narrative")


@dataclass(frozen=True)
class SectionInput:
    participation: str
    minutes_attended: int | None
    objective_id: int | None
    response: str
    plan: str = ""


def person_name(patient: Patient) -> rules.PersonName:
    names = tuple(n for n in (patient.preferred_name, patient.legal_first_name, patient.legal_last_name) if n)
    return rules.PersonName(key=patient.pk, names=names)


RosterSource = Callable[[GroupSession], list[Patient]]
_ROSTER_SOURCES: list[RosterSource] = []


def register_roster_source(source: RosterSource) -> None:
    """Extension point: SOURCE(group) returns everyone else connected with
    the session (e.g. people enrolled in a scheduled group who did not come),
    so that their names are kept out of the charts as well."""
    if source not in _ROSTER_SOURCES:
        _ROSTER_SOURCES.append(source)


def _people_not_to_name(group: GroupSession, sections: list[Note]) -> list[rules.PersonName]:
    """The participants with a section, then everyone the roster sources
    add: someone absent has no section, yet "John missed again" in the shared
    narrative would still tell every other chart that John is in treatment."""
    people = {section.patient_id: person_name(section.patient) for section in sections}
    for source in _ROSTER_SOURCES:
        for patient in source(group):
            people.setdefault(patient.pk, person_name(patient))
    return list(people.values())


def name_warnings(group: GroupSession, sections: list[Note] | None = None) -> list[str]:
    """Where a participant's name appears in text others' charts will show."""
    sections = sections if sections is not None else list(group.sections.select_related("patient"))
    people = _people_not_to_name(group, sections)
    warnings = [
        _("The shared narrative names a participant (%(name)s); it appears in every participant's chart.")
        % {"name": name}
        for _key, name in rules.names_mentioned(group.narrative, people)
    ]
    for section in sections:
        others = [p for p in people if p.key != section.patient_id]
        text = " ".join(str(v) for v in section.sections.values())
        for _key, name in rules.names_mentioned(text, others):
            warnings.append(
                _("%(patient)s's section names another participant (%(name)s).")
                % {"patient": section.patient.display_name, "name": name}
            )
    return warnings


def _check_header(session_date: dt.date, start: dt.time, end: dt.time, topic: str) -> None:
    if end <= start:
        raise ValidationError({"end_time": _("The session must end after it starts.")})
    if session_date > timezone.localdate():
        raise ValidationError({"session_date": _("The date of service is in the future.")})
    if not topic.strip():
        raise ValidationError({"topic": _("Give the session's topic.")})


@transaction.atomic
def group_create(
    *,
    actor: User,
    site: Site,
    session_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    topic: str,
    facilitator: User,
    patients: Iterable[Patient],
    curriculum: str = "general",
    curriculum_session: str = "",
    narrative: str = "",
    scheduled_session_id: int | None = None,
) -> GroupSession:
    """Open a group note with one pre-filled section per participant."""
    _check_header(session_date, start_time, end_time, topic)
    people = list(dict.fromkeys(patients))
    if not people:
        raise ValidationError({"patients": _("Choose at least one participant.")})
    if len(people) > MAX_PARTICIPANTS:
        raise ValidationError({"patients": _("A group has at most %(max)d participants.") % {"max": MAX_PARTICIPANTS}})
    if not facilitator.sites.filter(pk=site.pk).exists():
        raise ValidationError({"facilitator": _("The facilitator does not work at this site.")})
    episodes = {
        e.patient_id: e for e in Episode.objects.filter(patient__in=people, site=site, status=Episode.Status.ACTIVE)
    }
    missing = [p.display_name for p in people if p.pk not in episodes]
    if missing:
        raise ValidationError(
            {"patients": _("No active episode at this site: %(names)s.") % {"names": ", ".join(missing)}}
        )
    group = GroupSession.objects.create(
        site=site, session_date=session_date, start_time=start_time, end_time=end_time, topic=topic.strip(),
        curriculum=curriculum, curriculum_session=curriculum_session.strip(), facilitator=facilitator,
        narrative=narrative.strip(), created_by=actor, scheduled_session_id=scheduled_session_id,
    )  # fmt: skip
    duration = group.duration_minutes
    for patient in people:
        _add_section(group, episodes[patient.pk], actor, duration)
    log_action("group.create", obj=group, actor=actor, data={"participants": len(people)})
    return group


def _add_section(
    group: GroupSession,
    episode: Episode,
    actor: User,
    duration: int,
    participation: str = Note.Participation.PARTICIPATED,
) -> Note:
    note = Note.objects.create(
        patient_id=episode.patient_id, episode=episode, group=group, kind=Note.Kind.GROUP, note_format="GROUP",
        session_date=group.session_date, start_time=group.start_time, end_time=group.end_time, author=actor,
        sections={"response": "", "plan": ""}, participation=participation,
        minutes_attended=duration, service_code=service_codes.suggested_service_code(Note.Kind.GROUP, duration),
    )  # fmt: skip
    objectives = selectors.active_objectives(episode)
    if objectives:
        NoteObjective.objects.create(note=note, objective=objectives[0])
    return note


# --- Group notes from recorded attendance ---------------------------------------------------------------------------
#
# The scheduling app knows who attended a scheduled session and for how long;
# this app knows notes. Scheduling hands over ``Attendee`` rows (never the
# absent: their names must not reach anyone's chart) and registers a notice
# source so the group note page can say when attendance changed after signing.


@dataclass(frozen=True)
class Attendee:
    """One participant who attended (present, late or left early)."""

    episode: Episode
    minutes: int
    left_early: bool = False

    @property
    def participation(self) -> str:
        return Note.Participation.LEFT_EARLY if self.left_early else Note.Participation.PARTICIPATED


NoticeSource = Callable[[GroupSession], list[str]]
_NOTICE_SOURCES: list[NoticeSource] = []


def register_notice_source(source: NoticeSource) -> None:
    """Extension point: SOURCE(group) returns notices shown on the group note
    (e.g. attendance recorded after the note was signed)."""
    if source not in _NOTICE_SOURCES:
        _NOTICE_SOURCES.append(source)


def group_notices(group: GroupSession) -> list[str]:
    return [notice for source in _NOTICE_SOURCES for notice in source(group)]


@transaction.atomic
def group_create_from_attendance(
    *,
    actor: User,
    site: Site,
    session_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    topic: str,
    facilitator: User,
    scheduled_session_id: int,
    attendees: Sequence[Attendee],
    curriculum: str = "general",
) -> GroupSession:
    """Open the group note of a scheduled session: one section per attendee
    (on the episode they were enrolled with), minutes and participation taken
    from attendance. The caller makes this idempotent per session."""
    _check_header(session_date, start_time, end_time, topic)
    if not attendees:
        raise ValidationError(_("Nobody attended this session, so there is no group note to write."))
    if len(attendees) > MAX_PARTICIPANTS:
        raise ValidationError(_("A group has at most %(max)d participants.") % {"max": MAX_PARTICIPANTS})
    group = GroupSession.objects.create(
        site=site, session_date=session_date, start_time=start_time, end_time=end_time, topic=topic.strip(),
        facilitator=facilitator, created_by=actor, scheduled_session_id=scheduled_session_id, curriculum=curriculum,
    )  # fmt: skip
    for attendee in attendees:
        _add_section(group, attendee.episode, actor, attendee.minutes, attendee.participation)
    log_action(
        "group.create",
        obj=group,
        actor=actor,
        data={"participants": len(attendees), "scheduled_session": scheduled_session_id, "from": "attendance"},
    )
    return group


def _followed_participation(note: Note, attendee: Attendee) -> str:
    if attendee.left_early:
        return Note.Participation.LEFT_EARLY
    if note.participation in {Note.Participation.LEFT_EARLY, Note.Participation.ABSENT, ""}:
        return Note.Participation.PARTICIPATED
    return note.participation  # the clinician's own judgement (active, minimal, ...) stays


@transaction.atomic
def group_follow_attendance(*, actor: User | None, group: GroupSession, attendees: Sequence[Attendee]) -> list[str]:
    """Bring the unsigned sections of GROUP in line with corrected
    attendance: minutes follow, newly attending people get a section, people
    no longer attending lose their (draft) section. Signed sections are never
    touched. Returns what changed, for the audit trail."""
    current: GroupSession = GroupSession.objects.select_for_update().get(pk=group.pk)
    draft = current.status == NoteStatus.DRAFT
    wanted = {attendee.episode.patient_id: attendee for attendee in attendees}
    sections = {note.patient_id: note for note in current.sections.select_related("patient")}
    changes: list[str] = []
    for patient_id, note in sections.items():
        if note.status != NoteStatus.DRAFT:
            continue
        attendee = wanted.get(patient_id)
        if attendee is None:
            if note.participation == Note.Participation.ABSENT and note.minutes_attended == 0:
                continue
            changes.append(_drop_section(note, actor))
            continue
        participation = _followed_participation(note, attendee)
        if note.minutes_attended != attendee.minutes or note.participation != participation:
            note.minutes_attended, note.participation = attendee.minutes, participation
            note.lock_version += 1
            note.save()
            changes.append(f"minutes:{patient_id}")
    if draft:
        for patient_id, attendee in wanted.items():
            if patient_id not in sections:
                _add_section(current, attendee.episode, current.created_by, attendee.minutes, attendee.participation)
                changes.append(f"added:{patient_id}")
    if changes and draft:
        # An editor open on the old figures must not save over them unnoticed.
        current.lock_version += 1
        current.save(update_fields=["lock_version"])
    if changes:
        log_action("group.follow_attendance", obj=current, actor=actor, data={"changes": changes})
    return changes


def _written_in(note: Note) -> bool:
    """Whether a clinician has put anything of their own into a draft
    section (beyond what it was opened with)."""
    return any(str(value).strip() for value in note.sections.values())


def _drop_section(note: Note, actor: User | None) -> str:
    """A draft section whose patient is no longer recorded as attending. An
    untouched one goes; one a clinician has written in is kept, marked absent
    with 0 minutes, so a slip at the front desk never costs anyone's words."""
    data = {"group": note.group_id, "minutes_before": note.minutes_attended}
    if not _written_in(note):
        try:
            with transaction.atomic():
                note.delete()
        except ProtectedError:  # homework hangs off it
            pass
        else:
            log_action("group.section_remove", obj=note.group, actor=actor, patient_id=note.patient_id, data=data)
            return f"removed:{note.patient_id}"
    note.participation, note.minutes_attended = Note.Participation.ABSENT, 0
    note.lock_version += 1
    note.save()
    log_action("group.section_absent", obj=note, actor=actor, patient_id=note.patient_id, data=data)
    return f"absent:{note.patient_id}"


def attendance_mismatches(group: GroupSession, attendees: Sequence[Attendee]) -> list[str]:
    """Where recorded attendance disagrees with the signed sections (it was
    changed after signing). Names only people who already have a section or
    who attended; never someone recorded absent without a section."""
    wanted = {attendee.episode.patient_id: attendee for attendee in attendees}
    signed = [s for s in group.sections.select_related("patient") if s.status != NoteStatus.DRAFT]
    notices: list[str] = []
    for section in signed:
        attendee = wanted.get(section.patient_id)
        name = section.patient.display_name
        if attendee is None and section.participation != Note.Participation.ABSENT:
            notices.append(
                _("%(name)s is no longer recorded as attending, but the signed section says they attended.")
                % {"name": name}
            )
        elif attendee is not None and attendee.minutes != section.minutes_attended:
            notices.append(
                _("%(name)s: attendance now says %(now)d minutes; the signed section says %(then)s.")
                % {"name": name, "now": attendee.minutes, "then": section.minutes_attended}
            )
    if group.status != NoteStatus.DRAFT:
        have = {section.patient_id for section in group.sections.all()}
        for patient_id, attendee in wanted.items():
            if patient_id not in have:
                notices.append(
                    _("%(name)s is now recorded as attending but has no section in the signed note.")
                    % {"name": attendee.episode.patient.display_name}
                )
    if notices:
        headline = _(
            "Attendance was changed after this note was signed. Signed sections are never changed; "
            "add an addendum where a section needs correcting."
        )
        notices.insert(0, headline)
    return notices


def _lock(group: GroupSession, actor: User, expected_lock_version: int | None) -> GroupSession:
    current: GroupSession = GroupSession.objects.select_for_update().get(pk=group.pk)
    if current.status != NoteStatus.DRAFT:
        raise LockedRecordError(_("This group note is signed and locked. Add an addendum to a participant's section."))
    if current.created_by_id != actor.pk:
        raise ValidationError(_("Only the author edits or signs a draft group note."))
    check_version(
        current.lock_version,
        expected_lock_version,
        _("Someone else changed this group note while you were editing. Your changes were not saved; reload."),
    )
    return current


@transaction.atomic
def group_save(
    *,
    actor: User,
    group: GroupSession,
    expected_lock_version: int | None,
    header: Mapping[str, object],
    sections: Mapping[int, SectionInput],
) -> GroupSession:
    """Save the narrative and every section (a draft only)."""
    current = _lock(group, actor, expected_lock_version)
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown group fields: {sorted(unknown)}")
    for name, value in header.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _check_header(current.session_date, current.start_time, current.end_time, current.topic)
    current.lock_version += 1
    current.save()
    notes = {n.pk: n for n in current.sections.select_related("episode")}
    for note_id, data in sections.items():
        note = notes.get(note_id)
        if note is None:
            raise ValidationError(_("That section belongs to another group."))
        _save_section(current, note, data)
    log_action("group.save", obj=current, actor=actor, data={"sections": len(sections)})
    return current


def _save_section(group: GroupSession, note: Note, data: SectionInput) -> None:
    allowed = {o.pk: o for o in selectors.active_objectives(note.episode)}
    if data.objective_id is not None and data.objective_id not in allowed:
        raise ValidationError(
            _("The objective chosen for %(name)s is not on their plan.") % {"name": note.patient.display_name}
        )
    if data.participation not in Note.Participation.values:
        raise ValidationError(_("Choose a participation level for %(name)s.") % {"name": note.patient.display_name})
    absent = data.participation == Note.Participation.ABSENT
    note.participation = data.participation
    note.minutes_attended = 0 if absent else data.minutes_attended
    note.sections = {"response": data.response.strip(), "plan": data.plan.strip()}
    note.session_date, note.start_time, note.end_time = group.session_date, group.start_time, group.end_time
    note.lock_version += 1
    note.save()
    wanted = [] if absent or data.objective_id is None else [data.objective_id]
    NoteObjective.objects.filter(note=note).exclude(objective_id__in=wanted).delete()
    if wanted and not NoteObjective.objects.filter(note=note, objective_id=wanted[0]).exists():
        NoteObjective.objects.create(note=note, objective=allowed[wanted[0]])


def sign_problems_for_group(group: GroupSession) -> list[str]:
    sections = list(group.sections.select_related("patient", "group").prefetch_related("objective_links"))
    problems: list[str] = []
    if not group.narrative.strip():
        problems.append(_("Write the shared narrative."))
    problems += name_warnings(group, sections)
    for section in sections:
        name = section.patient.display_name
        problems += [f"{name}: {p}" for p in sign_problems(section)]
        if (
            section.participation != Note.Participation.ABSENT
            and not section.objective_links.all()
            and selectors.active_objectives(section.episode)
        ):
            problems.append(_("%(name)s: choose the objective addressed.") % {"name": name})
    return problems


@transaction.atomic
def group_sign_all(
    *, actor: User, group: GroupSession, now: dt.datetime | None = None, entry_reason: str = ""
) -> GroupSession:
    """Sign the narrative and every participant's section in one action; any
    problem anywhere refuses the whole signature, listing every problem.
    Signing before the session has ended or past the late-entry window needs
    ENTRY_REASON, by the individual note's rule (checked_entry_reason); every
    section records it. NOW is for demo seeding; views never pass it."""
    current = _lock(group, actor, None)
    problems = sign_problems_for_group(current)
    if problems:
        raise ValidationError([_("The group note cannot be signed yet:"), *problems])
    moment = now or timezone.now()
    reason = checked_entry_reason(current, moment, entry_reason)
    for section in current.sections.select_related("group", "episode__site"):
        _sign(section, actor, moment, reason)
    current.status = NoteStatus.SIGNED
    current.signed_at = moment
    current.save()
    log_action(
        "group.sign",
        obj=current,
        actor=actor,
        data={"sections": current.sections.count(), "entry": entry_timing(current, moment), "entry_reason": reason},
    )
    return current


def objective_choices(note: Note) -> list[Objective]:
    return selectors.active_objectives(note.episode)
