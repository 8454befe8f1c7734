# SPDX-License-Identifier: AGPL-3.0-or-later
"""The scheduling rules: no double booking, capacity, opening hours, reasons
for cancelling and rescheduling, attendance; bad input saves nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Episode
from openiop.scheduling import services
from openiop.scheduling.models import (
    Attendance,
    Enrolment,
    Session,
    SessionSeries,
    SessionStatus,
    Track,
)
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import Site

# A Thursday; Monday 2 March is in the past, Monday 9 March ahead.
NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)
MON = dt.date(2026, 3, 2)
NEXT_MON = dt.date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(north: Site) -> Site:
    open_all_week(north, dt.time(8), dt.time(21))
    return north


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- Double booking -------------------------------------------------------------------------------------------------


def test_a_patient_cannot_be_booked_into_two_overlapping_groups(site: Site) -> None:
    episode = admitted(site)
    first = group(site, MON, (9, 0), (10, 30))
    second = group(site, MON, (10, 0), (11, 0), in_room=room(site))
    services.enrol(actor=None, session=first, episode=episode)

    with pytest.raises(ValidationError) as error:
        services.enrol(actor=None, session=second, episode=episode)

    assert "Maria Garcia is already booked into Relapse prevention group, Mon 2026-03-02 09:00-10:30." in messages_of(
        error
    )
    assert Enrolment.objects.filter(session=second).count() == 0


def test_back_to_back_groups_do_not_clash(site: Site) -> None:
    episode = admitted(site)
    first = group(site, MON, (9, 0), (10, 30))
    second = group(site, MON, (10, 30), (12, 0))

    services.enrol(actor=None, session=first, episode=episode)
    services.enrol(actor=None, session=second, episode=episode)

    assert Enrolment.objects.filter(patient=episode.patient).count() == 2


def test_a_room_cannot_hold_two_groups_at_once(site: Site) -> None:
    shared = room(site, "Group room A")
    group(site, MON, (9, 0), (10, 30), in_room=shared)

    with pytest.raises(ValidationError) as error:
        group(site, MON, (10, 0), (11, 0), in_room=shared)

    assert "Group room A is already booked for Relapse prevention group, Mon 2026-03-02 09:00-10:30." in messages_of(
        error
    )
    assert Session.objects.count() == 1


def test_a_facilitator_cannot_run_two_groups_at_once(site: Site) -> None:
    lead = staff(site)
    group(site, MON, (9, 0), (10, 30), facilitator=lead)

    with pytest.raises(ValidationError) as error:
        group(site, MON, (9, 30), (10, 0), facilitator=lead, in_room=room(site))

    assert "already facilitates" in messages_of(error)


def test_a_clinician_busy_with_a_group_cannot_take_an_appointment_then(site: Site) -> None:
    clinician = staff(site)
    services.clinician_availability_add(
        actor=clinician, user=clinician, site=site, weekday=0, start_time=dt.time(8), end_time=dt.time(17)
    )
    group(site, MON, (9, 0), (10, 30), facilitator=clinician)

    with pytest.raises(ValidationError) as error:
        services.appointment_create(
            actor=None,
            episode=admitted(site),
            clinician=clinician,
            service="individual_therapy",
            start=at(site, MON, 10),
            end=at(site, MON, 10, 50),
        )

    assert "already facilitates" in messages_of(error)


def test_a_cancelled_session_frees_its_room(site: Site) -> None:
    shared = room(site)
    session = group(site, MON, (9, 0), (10, 30), in_room=shared)
    services.session_cancel(actor=staff(site), session=session, reason="Facilitator ill")

    group(site, MON, (9, 0), (10, 30), in_room=shared)

    assert Session.objects.filter(room=shared).count() == 2


# --- Opening hours and capacity -------------------------------------------------------------------------------------


def test_a_session_outside_opening_hours_is_refused(site: Site) -> None:
    with pytest.raises(ValidationError) as error:
        group(site, MON, (20, 0), (21, 30))

    assert "Mon 2026-03-02 20:00-21:30 is outside North Site's opening hours on Monday (08:00-21:00)." in messages_of(
        error
    )


def test_a_session_on_a_closed_day_is_refused(north: Site) -> None:
    # The test site opens on Mondays only.
    with pytest.raises(ValidationError) as error:
        group(north, dt.date(2026, 3, 3))

    assert "North Site is closed on Tuesday." in messages_of(error)


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        (0, 5, "The minimum group size must be at least 1."),
        (6, 4, "The maximum group size (4) is below the minimum (6)."),
    ],
)
def test_group_sizes_must_run_from_at_least_one_to_at_least_the_minimum(
    site: Site, low: int, high: int, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        group(site, MON, capacity_min=low, capacity_max=high)

    assert message in messages_of(error)
    assert not Session.objects.exists()


def test_a_group_larger_than_its_room_is_refused(site: Site) -> None:
    with pytest.raises(ValidationError) as error:
        group(site, MON, in_room=room(site, "Office", capacity=3), capacity_max=8)

    assert "Office seats 3; a group of up to 8 does not fit." in messages_of(error)


def test_a_full_session_refuses_the_next_patient(site: Site) -> None:
    session = group(site, MON, capacity_min=1, capacity_max=2)
    services.enrol(actor=None, session=session, episode=admitted(site, "Ann", "Able"))
    services.enrol(actor=None, session=session, episode=admitted(site, "Ben", "Baker"))

    with pytest.raises(ValidationError) as error:
        services.enrol(actor=None, session=session, episode=admitted(site, "Cal", "Cole"))

    assert "is full (2 of 2 seats taken)" in messages_of(error)
    assert session.enrolments.count() == 2


def test_a_discharged_or_other_site_episode_cannot_be_enrolled(site: Site, south: Site) -> None:
    open_all_week(south)
    elsewhere = admitted(south)
    session = group(site, MON)

    with pytest.raises(ValidationError) as error:
        services.enrol(actor=None, session=session, episode=elsewhere)

    assert "episode is at another site" in messages_of(error)


def test_a_series_with_one_clashing_date_is_refused_whole(site: Site) -> None:
    shared = room(site, "Group room B")
    group(site, dt.date(2026, 3, 11), (18, 0), (19, 0), in_room=shared)
    track = Track.objects.create(site=site, kind=Track.Kind.EVENING, name="Evening")

    with pytest.raises(ValidationError) as error:
        services.series_create(
            actor=staff(site),
            site=site,
            track=track,
            service="group_relapse_prevention",
            title="",
            room=shared,
            facilitator=staff(site),
            capacity_min=3,
            capacity_max=10,
            starts_on=MON,
            start_time=dt.time(18),
            end_time=dt.time(19, 30),
            rrule="FREQ=WEEKLY;BYDAY=MO,WE",
            generate_until=dt.date(2026, 3, 20),
        )

    assert "Wed 2026-03-11: Group room B is already booked" in messages_of(error)
    assert not SessionSeries.objects.exists()
    assert Session.objects.count() == 1


# --- Cancelling and rescheduling ------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_keeps_the_session_with_it(site: Site) -> None:
    director = staff(site)
    session = group(site, NEXT_MON)

    with pytest.raises(ValidationError):
        services.session_cancel(actor=director, session=session, reason="  ")
    services.session_cancel(actor=director, session=session, reason="Snowstorm")

    session.refresh_from_db()
    assert (session.status, session.status_reason, session.status_changed_by) == ("cancelled", "Snowstorm", director)
    event = AuditEvent.objects.get(action="scheduling.session.cancel")
    assert event.data == {"reason": "Snowstorm"}


def test_rescheduling_moves_the_participants_and_links_old_to_new(site: Site) -> None:
    session = group(site, NEXT_MON, (9, 0), (10, 30))
    episode = admitted(site)
    services.enrol(actor=None, session=session, episode=episode)

    new = services.session_reschedule(
        actor=staff(site),
        session=session,
        start=at(site, NEXT_MON, 14),
        end=at(site, NEXT_MON, 15, 30),
        reason="Room flooded",
    )

    session.refresh_from_db()
    assert session.status == SessionStatus.RESCHEDULED
    assert session.rescheduled_to == new
    assert session.status_reason == "Room flooded"
    assert list(new.enrolments.values_list("patient", flat=True)) == [episode.patient_id]
    assert new.local_start.time() == dt.time(14)


def test_rescheduling_into_a_participants_other_booking_changes_nothing(site: Site) -> None:
    episode = admitted(site)
    session = group(site, NEXT_MON, (9, 0), (10, 30))
    other = group(site, NEXT_MON, (14, 0), (15, 0), in_room=room(site))
    services.enrol(actor=None, session=session, episode=episode)
    services.enrol(actor=None, session=other, episode=episode)

    with pytest.raises(ValidationError) as error:
        services.session_reschedule(
            actor=staff(site), session=session, start=at(site, NEXT_MON, 14), end=at(site, NEXT_MON, 15), reason="Moved"
        )

    assert "Maria Garcia is already booked into" in messages_of(error)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    assert Session.objects.count() == 2


def test_a_change_based_on_an_old_version_is_refused(site: Site) -> None:
    session = group(site, NEXT_MON)
    services.session_reschedule(
        actor=staff(site), session=session, start=at(site, NEXT_MON, 12), end=at(site, NEXT_MON, 13), reason="Later"
    )

    with pytest.raises(ValidationError) as error:
        services.session_cancel(actor=staff(site), session=session, reason="x", expected_version=1)

    assert "Someone changed this session" in messages_of(error)


# --- Appointments and availability ----------------------------------------------------------------------------------


def test_an_appointment_must_lie_in_the_clinicians_availability(site: Site) -> None:
    clinician = staff(site)
    services.clinician_availability_add(
        actor=clinician, user=clinician, site=site, weekday=0, start_time=dt.time(13), end_time=dt.time(17)
    )
    episode = admitted(site)

    with pytest.raises(ValidationError) as error:
        services.appointment_create(
            actor=None, episode=episode, clinician=clinician, service="individual_therapy",
            start=at(site, MON, 10), end=at(site, MON, 10, 50),
        )  # fmt: skip
    booked = services.appointment_create(
        actor=None, episode=episode, clinician=clinician, service="individual_therapy",
        start=at(site, MON, 13), end=at(site, MON, 13, 50),
    )  # fmt: skip

    assert "outside" in messages_of(error) and "(13:00-17:00)" in messages_of(error)
    assert booked.minutes == 50


def test_an_overlapping_availability_window_is_refused(site: Site) -> None:
    patient = admitted(site).patient
    actor = staff(site)
    services.patient_availability_add(
        actor=actor, patient=patient, kind="work", weekday=1, start_time=dt.time(9), end_time=dt.time(17)
    )

    with pytest.raises(ValidationError) as error:
        services.patient_availability_add(
            actor=actor, patient=patient, kind="free", weekday=1, start_time=dt.time(16), end_time=dt.time(20)
        )

    assert "overlaps the window already recorded: Work Tuesday 09:00-17:00" in messages_of(error)


# --- Attendance -----------------------------------------------------------------------------------------------------


@pytest.fixture
def session_with_three(site: Site) -> tuple[Session, list[Episode], User]:
    session = group(site, MON, (9, 0), (10, 30))
    people = [admitted(site, "Ann", "Able"), admitted(site, "Ben", "Baker"), admitted(site, "Cal", "Cole")]
    for episode in people:
        services.enrol(actor=None, session=session, episode=episode)
    return session, people, staff(site)


def test_attendance_records_minutes_with_present_as_the_whole_session(
    session_with_three: tuple[Session, list[Episode], User],
) -> None:
    session, people, actor = session_with_three
    ids = {e.patient_id: e for e in Enrolment.objects.filter(session=session)}
    marks = [
        services.AttendanceMark(ids[people[0].patient_id].pk, "present"),
        services.AttendanceMark(ids[people[1].patient_id].pk, "late", 60, "bus"),
        services.AttendanceMark(ids[people[2].patient_id].pk, "no_show"),
    ]

    services.attendance_record(actor=actor, session=session, marks=marks)

    recorded = {a.enrolment.patient_id: (a.status, a.minutes_attended) for a in Attendance.objects.all()}
    assert recorded == {
        people[0].patient_id: ("present", 90), people[1].patient_id: ("late", 60), people[2].patient_id: ("no_show", 0),
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="scheduling.attendance.record").count() == 3


@pytest.mark.parametrize(
    ("status", "minutes", "message"),
    [
        ("late", None, "enter the minutes attended when late or leaving early"),
        ("absent", 30, "means 0 minutes attended"),
        ("present", 95, "between 1 and 90"),
        ("left_early", 90, "late or left early, yet all 90 minutes"),
    ],
)
def test_one_bad_mark_saves_no_attendance_at_all(
    session_with_three: tuple[Session, list[Episode], User], status: str, minutes: int | None, message: str
) -> None:
    session, _people, actor = session_with_three
    enrolments = list(Enrolment.objects.filter(session=session).order_by("pk"))
    marks = [
        services.AttendanceMark(enrolments[0].pk, "present"),
        services.AttendanceMark(enrolments[1].pk, status, minutes),
    ]

    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=actor, session=session, marks=marks)

    assert message in messages_of(error)
    assert not Attendance.objects.exists()


def test_attendance_waits_for_the_session_to_start(site: Site) -> None:
    session = group(site, NEXT_MON)
    episode = admitted(site)
    enrolment = services.enrol(actor=None, session=session, episode=episode)

    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            actor=staff(site), session=session, marks=[services.AttendanceMark(enrolment.pk, "present")]
        )

    assert "once the session has started" in messages_of(error)


def test_correcting_attendance_updates_the_one_record_and_is_audited(
    session_with_three: tuple[Session, list[Episode], User],
) -> None:
    session, _people, actor = session_with_three
    enrolment = Enrolment.objects.filter(session=session).first()
    assert enrolment is not None
    services.attendance_record(actor=actor, session=session, marks=[services.AttendanceMark(enrolment.pk, "absent")])
    services.attendance_record(
        actor=actor, session=session, marks=[services.AttendanceMark(enrolment.pk, "left_early", 45)]
    )

    assert list(Attendance.objects.values_list("status", "minutes_attended")) == [("left_early", 45)]
    assert AuditEvent.objects.filter(action="scheduling.attendance.correct").count() == 1


# --- Property: whatever order bookings arrive in, the rules hold ------------------------------------------------------


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=14))
def test_random_bookings_never_double_book_a_patient_or_overfill_a_session(
    site: Site, attempts: list[tuple[int, int]]
) -> None:
    # Sessions and patients are made once for all examples (the database
    # persists across examples of one test), then each example adds bookings.
    if not Session.objects.filter(site=site).exists():
        lead = [staff(site) for _ in range(5)]
        rooms = [room(site) for _ in range(5)]
        times = [((9, 0), (10, 30)), ((10, 0), (11, 0)), ((10, 30), (12, 0)), ((13, 0), (14, 30)), ((9, 30), (13, 30))]
        for index, (start, end) in enumerate(times):
            group(site, MON, start, end, facilitator=lead[index], in_room=rooms[index], capacity_max=2)
        for index in range(4):
            admitted(site, f"P{index}", "Tester")
    sessions = list(Session.objects.filter(site=site).order_by("pk"))
    episodes = list(Episode.objects.filter(site=site).order_by("pk"))
    for patient_index, session_index in attempts:
        with contextlib.suppress(ValidationError):
            services.enrol(actor=None, session=sessions[session_index], episode=episodes[patient_index])

    for session in sessions:
        assert session.enrolments.count() <= session.capacity_max
    for episode in episodes:
        booked = sorted(
            (e.session.start, e.session.end)
            for e in Enrolment.objects.filter(patient=episode.patient).select_related("session")
        )
        assert all(previous[1] <= current[0] for previous, current in itertools.pairwise(booked))


def test_absent_with_the_untouched_full_length_prefill_counts_as_zero_minutes(
    session_with_three: tuple[Session, list[Episode], User],
) -> None:
    session, _people, actor = session_with_three
    enrolment = Enrolment.objects.filter(session=session).first()
    assert enrolment is not None

    services.attendance_record(
        actor=actor, session=session, marks=[services.AttendanceMark(enrolment.pk, "absent", 90)]
    )

    assert list(Attendance.objects.values_list("status", "minutes_attended")) == [("absent", 0)]
