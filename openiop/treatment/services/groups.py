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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site
from openiop.treatment import rules, selectors
from openiop.treatment.models import GroupSession, LockedRecordError, Note, NoteObjective, NoteStatus, Objective
from openiop.treatment.services.notes import _sign, sign_problems

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


def name_warnings(group: GroupSession, sections: list[Note] | None = None) -> list[str]:
    """Where a participant's name appears in text others' charts will show."""
    sections = sections if sections is not None else list(group.sections.select_related("patient"))
    people = [person_name(s.patient) for s in sections]
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


def _add_section(group: GroupSession, episode: Episode, actor: User, duration: int) -> Note:
    note = Note.objects.create(
        patient_id=episode.patient_id, episode=episode, group=group, kind=Note.Kind.GROUP, note_format="GROUP",
        session_date=group.session_date, start_time=group.start_time, end_time=group.end_time, author=actor,
        sections={"response": "", "plan": ""}, participation=Note.Participation.PARTICIPATED,
        minutes_attended=duration,
    )  # fmt: skip
    objectives = selectors.active_objectives(episode)
    if objectives:
        NoteObjective.objects.create(note=note, objective=objectives[0])
    return note


def _lock(group: GroupSession, actor: User, expected_lock_version: int | None) -> GroupSession:
    current: GroupSession = GroupSession.objects.select_for_update().get(pk=group.pk)
    if current.status != NoteStatus.DRAFT:
        raise LockedRecordError(_("This group note is signed and locked. Add an addendum to a participant's section."))
    if current.created_by_id != actor.pk:
        raise ValidationError(_("Only the author edits or signs a draft group note."))
    if expected_lock_version is not None and current.lock_version != expected_lock_version:
        raise ValidationError(
            _("Someone else changed this group note while you were editing. Your changes were not saved; reload.")
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
def group_sign_all(*, actor: User, group: GroupSession, now: dt.datetime | None = None) -> GroupSession:
    """Sign the narrative and every participant's section in one action; any
    problem anywhere refuses the whole signature, listing every problem."""
    current = _lock(group, actor, None)
    problems = sign_problems_for_group(current)
    if problems:
        raise ValidationError([_("The group note cannot be signed yet:"), *problems])
    moment = now or timezone.now()
    for section in current.sections.select_related("group"):
        _sign(section, actor, moment)
    current.status = NoteStatus.SIGNED
    current.signed_at = moment
    current.save()
    log_action("group.sign", obj=current, actor=actor, data={"sections": current.sections.count()})
    return current


def objective_choices(note: Note) -> list[Objective]:
    return selectors.active_objectives(note.episode)
