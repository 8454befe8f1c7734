# SPDX-License-Identifier: AGPL-3.0-or-later
"""Builders for billing's core tests: a program week with groups, attendance
through the real service, signed group notes, payers, coverage, fees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openiop.accounts.models import User
from openiop.billing.models import Charge, ChargeStatus
from openiop.billing.services import fee_schedule_create
from openiop.insurance.models import Authorization, Coverage, Payer
from openiop.patients.models import Episode
from openiop.scheduling import services as scheduling
from openiop.scheduling.models import Enrolment, Session
from openiop.scheduling.tests.pages import group, room, staff
from openiop.sites.models import Site
from openiop.treatment import signals as treatment_signals
from openiop.treatment.models import GroupSession, Note, NoteStatus

# Monday 9 March 2026 starts the week under test; the clock stands on the
# Saturday after, so every session has happened.
MON = dt.date(2026, 3, 9)
NOW = dt.datetime(2026, 3, 14, 18, 0, tzinfo=dt.UTC)

FEES = {
    "H0015": (Decimal("250.00"), Decimal("180.00")),
    "90834": (Decimal("140.00"), Decimal("95.00")),
    "90837": (Decimal("180.00"), Decimal("120.00")),
    "80305": (Decimal("30.00"), Decimal("12.00")),
    "H0001": (Decimal("200.00"), Decimal("150.00")),
}


def default_fees(site: Site, payer: Payer | None = None, *, start: dt.date = dt.date(2026, 1, 1)) -> None:
    for code, (charge, expected) in FEES.items():
        if site.organization.fee_schedules.filter(code=code, payer=payer, site=None).exists():
            continue  # already priced by the test
        fee_schedule_create(
            actor=None,
            organization=site.organization,
            payer=payer,
            code=code,
            charge_amount=charge,
            expected_amount=expected,
            effective_from=start,
        )


def payer(site: Site, name: str = "Acme Health", **fields: Any) -> Payer:
    payer_id = "".join(ch for ch in name.upper() if ch.isalnum())[:10]
    return Payer.objects.create(organization=site.organization, name=name, payer_id=payer_id, **fields)


def diagnose(episode: Episode, code: str = "F10.20") -> None:
    """An active primary diagnosis through the diagnoses app's service (which
    sends diagnoses_changed, as a person adding it would)."""
    from openiop.diagnoses.services import diagnosis_create

    diagnosis_create(
        actor=None,
        patient=episode.patient,
        code=code,
        onset_date=dt.date(2025, 12, 1),
        episode=episode,
        is_primary=True,
    )


def cover(episode: Episode, payer: Payer, *, diagnosed: bool = True, **fields: Any) -> Coverage:
    """Coverage for the episode's patient; a claim needs a diagnosis, so the
    patient gets one unless DIAGNOSED is False (or one is there already)."""
    values: dict[str, Any] = {"member_id": f"M{episode.patient_id:06d}", "effective_date": dt.date(2026, 1, 1)}
    values.update(fields)
    coverage = Coverage.objects.create(patient_id=episode.patient_id, payer=payer, **values)
    if diagnosed and not episode.patient.diagnoses.exists():
        diagnose(episode)
    return coverage


def authorize(coverage: Coverage, units: int, **fields: Any) -> Authorization:
    values: dict[str, Any] = {
        "number": f"A{coverage.pk}-{units}",
        "service_code": "H0015",
        "units_authorized": units,
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 3, 31),
    }
    values.update(fields)
    return Authorization.objects.create(patient_id=coverage.patient_id, coverage=coverage, **values)


@dataclass
class Week:
    site: Site
    actor: User
    sessions: list[Session] = field(default_factory=list)

    def add_day(self, day: dt.date, episodes: list[Episode], hours: tuple[int, int] = (9, 12)) -> Session:
        session = group(
            self.site,
            day,
            (hours[0], 0),
            (hours[1], 0),
            in_room=room(self.site),
            facilitator=self.actor,
            capacity_max=12,
        )
        for episode in episodes:
            scheduling.enrol(actor=None, session=session, episode=episode)
        self.sessions.append(session)
        return session

    def attend(self, session: Session, marks: dict[int, tuple[str, int | None]]) -> None:
        """MARKS: episode pk -> (status, minutes)."""
        enrolments = {e.episode_id: e for e in Enrolment.objects.filter(session=session)}
        scheduling.attendance_record(
            actor=self.actor,
            session=session,
            marks=[
                scheduling.AttendanceMark(enrolments[episode_id].pk, status, minutes)
                for episode_id, (status, minutes) in marks.items()
            ],
        )

    def attend_all(self, session: Session, episodes: list[Episode]) -> None:
        self.attend(session, {episode.pk: ("present", None) for episode in episodes})


def sign_group_note(session: Session, episodes: list[Episode], *, sign: bool = True) -> list[Note]:
    """The group note of SESSION with a section per episode, signed as the
    group signing service does (draft first, then signed, then the signal)."""
    local = session.start.astimezone(session.site.zone)
    local_end = session.end.astimezone(session.site.zone)
    group_note = GroupSession.objects.create(
        site=session.site,
        session_date=local.date(),
        start_time=local.time(),
        end_time=local_end.time(),
        topic="Relapse prevention",
        facilitator=session.facilitator,
        created_by=session.facilitator,
        scheduled_session_id=session.pk,
        narrative="We practised refusal skills.",
    )
    sections = []
    for episode in episodes:
        sections.append(
            Note.objects.create(
                patient_id=episode.patient_id,
                episode=episode,
                group=group_note,
                kind=Note.Kind.GROUP,
                note_format="GROUP",
                session_date=local.date(),
                start_time=local.time(),
                end_time=local_end.time(),
                author=session.facilitator,
                participation=Note.Participation.ACTIVE,
                minutes_attended=session.minutes,
            )
        )
    if sign:
        sign_sections(sections)
    return sections


def sign_sections(sections: list[Note]) -> None:
    for note in sections:
        note.status = NoteStatus.SIGNED
        note.signed_at = NOW
        note.save()
        treatment_signals.note_signed.send(sender=Note, note=note)


def live(episode: Episode, **filters: Any) -> list[Charge]:
    return list(
        Charge.objects.filter(patient_id=episode.patient_id, **filters)
        .exclude(status=ChargeStatus.VOIDED)
        .order_by("service_date", "kind", "pk")
    )


def program_staff(site: Site) -> User:
    return staff(site)
