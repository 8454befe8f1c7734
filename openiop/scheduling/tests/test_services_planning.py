# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week planner from the database: proposals change nothing until
published; publishing is all or nothing; a week that cannot be built leaves
the published schedule as it was; one patient can be re-planned alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError

from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.scheduling import planning, services
from openiop.scheduling.models import Enrolment, PatientAvailability, Session, Track, WeekProposal
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import OpeningHours, Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday
WEEK = dt.date(2026, 3, 9)  # next Monday
THURSDAY = dt.date(2026, 3, 12)
LAST_WEEK = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


class Program:
    def __init__(self, site: Site) -> None:
        open_all_week(site, dt.time(8), dt.time(22))
        self.site = site
        self.director = staff(site, "clinical_director")
        self.evening = Track.objects.create(site=site, kind=Track.Kind.EVENING, name="Evening")
        lead, hall = staff(site), room(site, "Hall")
        # Mon, Wed, Thu 18:00-21:00: exactly the 9 hours of the IOP band minimum.
        self.sessions = [
            group(site, WEEK + dt.timedelta(days=offset), (18, 0), (21, 0), facilitator=lead, in_room=hall,
                  capacity_min=1, capacity_max=3, track=self.evening, service=service)
            for offset, service in ((0, "group_relapse_prevention"), (2, "group_coping_skills"), (3, "group_support"))
        ]  # fmt: skip
        self.people = [admitted(site, name, "Evening") for name in ("Ann", "Ben", "Cal")]
        for episode in self.people:
            for weekday in (0, 2, 3):
                services.patient_availability_add(
                    actor=self.director, patient=episode.patient, kind="free", weekday=weekday,
                    start_time=dt.time(17), end_time=dt.time(22),
                )  # fmt: skip

    def propose(self) -> WeekProposal:
        return planning.propose_week(actor=self.director, site=self.site, week_start=WEEK, time_limit=5)

    def booked(self) -> set[tuple[int, int]]:
        return set(Enrolment.objects.values_list("patient_id", "session_id"))


@pytest.fixture
def program(north: Site) -> Program:
    return Program(north)


def test_a_proposal_books_nobody_until_it_is_published(program: Program) -> None:
    proposal = program.propose()

    assert proposal.status == WeekProposal.Status.DRAFT
    assert proposal.meeting == 3
    assert not Enrolment.objects.exists()

    planning.publish(actor=program.director, proposal=proposal)

    expected = {(e.patient_id, s.pk) for e in program.people for s in program.sessions}
    assert program.booked() == expected
    assert set(Enrolment.objects.values_list("source", flat=True)) == {"optimizer"}
    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.PUBLISHED
    assert AuditEvent.objects.filter(action="scheduling.week.publish").exists()


def test_a_patient_who_cannot_reach_the_band_is_explained_in_words(program: Program) -> None:
    late = admitted(program.site, "Dee", "Tuesday")
    services.patient_availability_add(
        actor=program.director,
        patient=late.patient,
        kind="free",
        weekday=1,
        start_time=dt.time(17),
        end_time=dt.time(22),
    )

    proposal = program.propose()

    reasons = proposal.explanations[str(late.pk)]
    assert reasons[0] == "scheduled 0 h of the 9 h-19 h band"
    assert "available only Tue evenings" in reasons
    assert "no group fits their availability" in reasons


def test_hand_bookings_stay_and_count_towards_the_week(program: Program) -> None:
    ann = program.people[0]
    services.enrol(actor=program.director, session=program.sessions[0], episode=ann)

    proposal = program.propose()
    planning.publish(actor=program.director, proposal=proposal)

    sources = dict(Enrolment.objects.filter(patient=ann.patient).values_list("session_id", "source"))
    assert sources == {
        program.sessions[0].pk: "staff",
        program.sessions[1].pk: "optimizer",
        program.sessions[2].pk: "optimizer",
    }


def test_a_week_that_cannot_be_built_leaves_the_published_schedule_as_it_was(program: Program) -> None:
    planning.publish(actor=program.director, proposal=program.propose())
    before = program.booked()
    # Wednesday's hours shrink after the groups were set up: that group now lies outside them.
    OpeningHours.objects.filter(site=program.site, weekday=2).update(closes=dt.time(17))

    failed = program.propose()

    assert failed.status == WeekProposal.Status.FAILED
    assert "outside North Site's opening hours on Wed" in failed.message
    assert program.booked() == before
    with pytest.raises(ValidationError):
        planning.publish(actor=program.director, proposal=failed)


def test_publishing_is_all_or_nothing(program: Program) -> None:
    planning.publish(actor=program.director, proposal=program.propose())
    before = program.booked()
    proposal = program.propose()
    # After the proposal, Ben gets an appointment by hand at Thursday's group time.
    clinician = staff(program.site)
    services.clinician_availability_add(
        actor=clinician, user=clinician, site=program.site, weekday=3, start_time=dt.time(17), end_time=dt.time(22)
    )
    ben = program.people[1]
    Enrolment.objects.filter(patient=ben.patient, session=program.sessions[2]).delete()
    services.appointment_create(
        actor=None, episode=ben, clinician=clinician, service="individual_therapy",
        start=at(program.site, THURSDAY, 19), end=at(program.site, THURSDAY, 19, 50),
    )  # fmt: skip
    before.discard((ben.patient_id, program.sessions[2].pk))

    with pytest.raises(ValidationError) as error:
        planning.publish(actor=program.director, proposal=proposal)

    assert "Ben Evening already has Individual therapy" in " ".join(error.value.messages)
    assert program.booked() == before
    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.DRAFT


def test_a_proposal_is_stale_once_one_of_its_sessions_changes(program: Program) -> None:
    proposal = program.propose()
    services.session_cancel(actor=program.director, session=program.sessions[1], reason="Holiday")

    # The one stale-edit error (core.locking), as every optimistic lock refuses.
    with pytest.raises(StaleEditError) as error:
        planning.publish(actor=program.director, proposal=proposal)

    assert "changed after the proposal was built" in " ".join(error.value.messages)
    assert not Enrolment.objects.exists()


def test_last_weeks_cohort_is_kept_when_there_is_a_choice(north: Site) -> None:
    program = Program(north)
    lead = staff(north)
    # Two identical Monday-evening groups; last week Ann attended the second.
    twin = group(north, WEEK, (18, 0), (21, 0), facilitator=lead, in_room=room(north), capacity_max=3,
                 track=program.evening, service="group_relapse_prevention")  # fmt: skip
    last = group(north, LAST_WEEK, (18, 0), (21, 0), facilitator=lead, in_room=twin.room, capacity_max=3,
                 track=program.evening, service="group_relapse_prevention")  # fmt: skip
    # Same series slot id: link both to one series row so the planner sees "the same group".
    from openiop.scheduling.models import SessionSeries

    series = SessionSeries.objects.create(
        site=north, track=program.evening, service="group_relapse_prevention", title="RP", room=twin.room,
        facilitator=lead, starts_on=LAST_WEEK, start_time=dt.time(18), end_time=dt.time(21),
        rrule="FREQ=WEEKLY;BYDAY=MO", capacity_min=1, capacity_max=3,
    )  # fmt: skip
    Session.objects.filter(pk__in=[twin.pk, last.pk]).update(series=series)
    ann = program.people[0]
    Enrolment.objects.create(session=last, episode=ann, patient=ann.patient)

    planning.publish(actor=program.director, proposal=program.propose())

    monday = set(
        Enrolment.objects.filter(patient=ann.patient, session__start__date=WEEK).values_list("session", flat=True)
    )
    assert twin.pk in monday and program.sessions[0].pk not in monday


def test_one_patient_is_replanned_with_everyone_else_left_alone(program: Program) -> None:
    _ann, ben, _cal = program.people
    ben.patient.availability.all().delete()
    services.patient_availability_add(
        actor=program.director,
        patient=ben.patient,
        kind="free",
        weekday=0,
        start_time=dt.time(17),
        end_time=dt.time(22),
    )
    planning.publish(actor=program.director, proposal=program.propose())
    others_before = set(Enrolment.objects.exclude(patient=ben.patient).values_list("patient_id", "session_id"))
    # Ben's evenings open up again.
    for weekday in (2, 3):
        services.patient_availability_add(
            actor=program.director, patient=ben.patient, kind="free", weekday=weekday,
            start_time=dt.time(17), end_time=dt.time(22),
        )  # fmt: skip

    proposal = planning.propose_replan(actor=program.director, site=program.site, week_start=WEEK, episode=ben)
    assert proposal.kind == WeekProposal.Kind.REPLAN and proposal.status == WeekProposal.Status.DRAFT
    assert proposal.episode_ids == [ben.pk]
    planning.publish(actor=program.director, proposal=proposal)

    assert set(Enrolment.objects.filter(patient=ben.patient).values_list("session_id", flat=True)) == {
        s.pk for s in program.sessions
    }
    assert set(Enrolment.objects.exclude(patient=ben.patient).values_list("patient_id", "session_id")) == others_before


def test_a_patient_without_availability_is_left_out_and_said_so(program: Program) -> None:
    admitted(program.site, "Eve", "Nowindows")

    proposal = program.propose()

    assert "Eve Nowindows: no availability recorded, not planned." in proposal.warnings
    assert PatientAvailability.objects.filter(patient__legal_first_name="Eve").count() == 0
