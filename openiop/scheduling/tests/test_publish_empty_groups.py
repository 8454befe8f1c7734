# SPDX-License-Identifier: AGPL-3.0-or-later
"""Publishing a week cancels the group sessions it leaves with no one, says
so before the user confirms, and leaves alone any session someone the
proposal does not cover still sits in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.scheduling import planning, services
from openiop.scheduling.models import Enrolment, Session, SessionStatus, WeekProposal
from openiop.scheduling.tests.pages import admitted, group, room
from openiop.scheduling.tests.test_services_planning import NOW, WEEK, Program
from openiop.sites.models import Site

REASON = "No participants after the week was published"
TUESDAY = WEEK + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(north: Site) -> Program:
    return Program(north)


def tuesday_morning(program: Program) -> Session:
    """A group nobody in the program is free for (they are free evenings only)."""
    return group(program.site, TUESDAY, (10, 0), (11, 30), in_room=room(program.site), capacity_max=6)


def test_a_group_the_week_leaves_empty_is_listed_then_cancelled_on_publish(client: Client, program: Program) -> None:
    empty = tuesday_morning(program)
    proposal = program.propose()
    assert planning.emptied_sessions(proposal) == [empty]

    client.force_login(program.director)
    page = client.get(reverse("scheduling:publish", args=[proposal.pk])).content.decode()
    assert "Sessions that will be canceled" in page
    assert reverse("scheduling:session", args=[empty.pk]) in page
    assert "Tue 2026-03-10 10:00" in page

    client.post(reverse("scheduling:publish", args=[proposal.pk]))

    empty.refresh_from_db()
    assert empty.status == SessionStatus.CANCELLED
    assert empty.status_reason == REASON
    assert empty.status_changed_by == program.director
    assert Session.objects.filter(pk=empty.pk).exists()  # kept, as with a cancellation by hand
    assert {s.status for s in Session.objects.filter(pk__in=[s.pk for s in program.sessions])} == {"scheduled"}
    assert AuditEvent.objects.filter(action="scheduling.session.cancel", data__reason=REASON).count() == 1
    publish_event = AuditEvent.objects.get(action="scheduling.week.publish")
    assert publish_event.data["cancelled_sessions"] == [empty.pk]


def test_with_no_empty_group_the_confirmation_says_nothing_is_cancelled(client: Client, program: Program) -> None:
    proposal = program.propose()
    client.force_login(program.director)

    page = client.get(reverse("scheduling:publish", args=[proposal.pk])).content.decode()

    assert "publishing cancels nothing" in page
    planning.publish(actor=program.director, proposal=proposal)
    assert not Session.objects.filter(status=SessionStatus.CANCELLED).exists()


def test_a_group_with_someone_the_proposal_does_not_cover_is_left_alone(program: Program) -> None:
    empty = tuesday_morning(program)
    # Placed by an earlier plan, but without availability now: not in this proposal.
    outsider = admitted(program.site, "Out", "Side")
    services.enrol(actor=None, session=empty, episode=outsider, source=Enrolment.Source.OPTIMIZER)
    proposal = program.propose()
    assert outsider.pk not in proposal.episode_ids

    assert planning.emptied_sessions(proposal) == []
    planning.publish(actor=program.director, proposal=proposal)

    empty.refresh_from_db()
    assert empty.status == SessionStatus.SCHEDULED
    assert Enrolment.objects.filter(session=empty, episode=outsider).exists()


def test_a_group_kept_by_a_booking_by_hand_is_left_alone(program: Program) -> None:
    empty = tuesday_morning(program)
    services.enrol(actor=None, session=empty, episode=program.people[0])  # staff booked Ann in by hand

    proposal = program.propose()
    planning.publish(actor=program.director, proposal=proposal)

    empty.refresh_from_db()
    assert empty.status == SessionStatus.SCHEDULED


def test_a_group_whose_planned_members_all_move_away_is_cancelled(program: Program) -> None:
    # Last week's plan put Ann alone in Tuesday's morning group; her availability is evenings only now.
    empty = tuesday_morning(program)
    services.enrol(actor=None, session=empty, episode=program.people[0], source=Enrolment.Source.OPTIMIZER)
    proposal = program.propose()

    assert planning.emptied_sessions(proposal) == [empty]
    planning.publish(actor=program.director, proposal=proposal)

    empty.refresh_from_db()
    assert empty.status == SessionStatus.CANCELLED
    assert not Enrolment.objects.filter(session=empty).exists()


def test_a_replan_cancels_only_the_group_its_patient_was_last_in(program: Program) -> None:
    ann, ben = program.people[0], program.people[1]
    left_by_ann = tuesday_morning(program)
    already_empty = tuesday_morning(program)
    shared = group(program.site, TUESDAY, (12, 0), (13, 30), in_room=room(program.site))
    for session in (left_by_ann, shared):
        services.enrol(actor=None, session=session, episode=ann, source=Enrolment.Source.OPTIMIZER)
    services.enrol(actor=None, session=shared, episode=ben, source=Enrolment.Source.OPTIMIZER)
    sessions = [left_by_ann, already_empty, shared, program.sessions[0]]
    proposal = WeekProposal.objects.create(
        site=program.site,
        week_start=WEEK,
        kind=WeekProposal.Kind.REPLAN,
        created_by=program.director,
        episode_ids=[ann.pk],
        plan={"groups": {str(ann.pk): [program.sessions[0].pk]}, "appointments": []},
        session_versions={str(s.pk): s.version for s in sessions},
    )

    assert planning.emptied_sessions(proposal) == [left_by_ann]
    planning.publish(actor=program.director, proposal=proposal)

    statuses = dict(Session.objects.filter(pk__in=[s.pk for s in sessions]).values_list("pk", "status"))
    assert statuses == {
        left_by_ann.pk: SessionStatus.CANCELLED,
        already_empty.pk: SessionStatus.SCHEDULED,
        shared.pk: SessionStatus.SCHEDULED,
        program.sessions[0].pk: SessionStatus.SCHEDULED,
    }
    assert set(Enrolment.objects.filter(patient=ann.patient).values_list("session_id", flat=True)) == {
        program.sessions[0].pk
    }


def test_a_refused_publish_cancels_nothing(program: Program) -> None:
    empty = tuesday_morning(program)
    proposal = program.propose()
    services.session_cancel(actor=program.director, session=program.sessions[1], reason="Holiday")

    with pytest.raises(ValidationError):
        planning.publish(actor=program.director, proposal=proposal)

    empty.refresh_from_db()
    assert empty.status == SessionStatus.SCHEDULED
