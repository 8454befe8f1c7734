# SPDX-License-Identifier: AGPL-3.0-or-later
"""Publishing a proposal through the booking services, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import StaleEditError
from openiop.patients.models import Episode
from openiop.scheduling import selectors, services
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Appointment, Enrolment, Session, SessionStatus, WeekProposal
from openiop.scheduling.planning.problem import OPTIMIZER


def emptied_sessions(proposal: WeekProposal) -> list[Session]:
    """The group sessions of PROPOSAL's week that publishing it would leave
    with no one, and so cancels: sessions the planner was given whose every
    participant is a planned booking of the proposal's patients that gives way
    and that the new plan does not put back. Bookings by hand, bookings with
    attendance and patients the proposal does not cover keep a session. A
    re-plan of one patient only cancels a session that patient was the last in."""
    session_ids = [int(pk) for pk in proposal.session_versions]
    if not session_ids:
        return []
    patient_ids = set(Episode.objects.filter(pk__in=proposal.episode_ids).values_list("patient_id", flat=True))
    staying: dict[int, int] = defaultdict(int)
    leaving: dict[int, int] = defaultdict(int)
    for session_id, patient_id, source, attended in Enrolment.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "patient_id", "source", "attendance"
    ):
        gives_way = source == OPTIMIZER and patient_id in patient_ids and attended is None
        (leaving if gives_way else staying)[session_id] += 1
    planned = {pk for pks in proposal.group_plan().values() for pk in pks}
    return [
        session
        for session in Session.objects.filter(pk__in=session_ids, status=SessionStatus.SCHEDULED)
        .select_related("site", "room")
        .order_by("start")
        if not staying[session.pk]
        and session.pk not in planned
        and (proposal.kind == WeekProposal.Kind.WEEK or leaving[session.pk])
    ]


@transaction.atomic
def publish(*, actor: User, proposal: WeekProposal) -> WeekProposal:
    """Apply a proposal: the planner's earlier bookings of its patients in
    that week give way to the new ones. All or nothing."""
    locked = WeekProposal.objects.select_for_update().select_related("site").get(pk=proposal.pk)
    if locked.status != WeekProposal.Status.DRAFT:
        raise ValidationError(
            _("This proposal is %(status)s; only a proposal ready for review can be published.")
            % {"status": locked.get_status_display()}
        )
    site = locked.site
    week = IsoWeek.of(locked.week_start)
    start, end = selectors.week_range(site, week)
    sessions = {
        s.pk: s for s in Session.objects.filter(pk__in=[int(k) for k in locked.session_versions]).select_related("site")
    }
    stale = [
        str(sessions[int(pk)]) if int(pk) in sessions else f"#{pk}"
        for pk, version in locked.session_versions.items()
        if int(pk) not in sessions
        or sessions[int(pk)].version != version
        or sessions[int(pk)].status != SessionStatus.SCHEDULED
    ]
    if stale:
        # The proposal holds the version of every session it was built on: one stale edit, many records.
        raise StaleEditError(
            _("These sessions changed after the proposal was built: %(sessions)s. Build the week again.")
            % {"sessions": ", ".join(stale)},
            code="stale",
        )
    episodes = {e.pk: e for e in Episode.objects.filter(pk__in=locked.episode_ids).select_related("patient")}
    inactive = [
        str(pk) for pk in locked.episode_ids if pk not in episodes or episodes[pk].status != Episode.Status.ACTIVE
    ]
    if inactive:
        raise ValidationError(_("Some patients in this proposal were discharged since; build the week again."))
    patient_ids = [e.patient_id for e in episodes.values()]
    emptied = emptied_sessions(locked)
    Enrolment.objects.filter(
        patient_id__in=patient_ids,
        source=OPTIMIZER,
        session__site=site,
        session__start__gte=start,
        session__start__lt=end,
        attendance__isnull=True,
    ).delete()
    Appointment.objects.filter(
        patient_id__in=patient_ids,
        source=OPTIMIZER,
        site=site,
        status=SessionStatus.SCHEDULED,
        start__gte=start,
        start__lt=end,
        attendance__isnull=True,
    ).update(status=SessionStatus.CANCELLED, status_reason=_("Replaced by week plan %(pk)d.") % {"pk": locked.pk})
    enrolled = 0
    for episode_pk, session_pks in locked.group_plan().items():
        for session_pk in session_pks:
            services.enrol(actor=actor, session=sessions[session_pk], episode=episodes[episode_pk], source=OPTIMIZER)
            enrolled += 1
    clinicians = {u.pk: u for u in User.objects.filter(pk__in=[a["clinician"] for a in locked.appointment_plan()])}
    for row in locked.appointment_plan():
        services.appointment_create(
            actor=actor,
            episode=episodes[int(row["episode"])],
            clinician=clinicians[int(row["clinician"])],
            service=row["service"],
            start=dt.datetime.fromisoformat(row["start"]),
            end=dt.datetime.fromisoformat(row["end"]),
            source=OPTIMIZER,
        )
    reason = _("No participants after the week was published")
    cancelled = []
    for session in emptied:
        # Lock the row first: an enrolment made meanwhile (enrol locks the
        # same row) is then either seen here or waits and finds it cancelled.
        Session.objects.select_for_update(of=("self",)).filter(pk=session.pk).first()
        if not Enrolment.objects.filter(session=session).exists():  # still empty: the plan stands as previewed
            services.session_cancel(actor=actor, session=session, reason=reason)
            cancelled.append(session.pk)
    locked.status = WeekProposal.Status.PUBLISHED
    locked.published_by = actor
    locked.published_at = timezone.now()
    locked.save()
    if locked.kind == WeekProposal.Kind.WEEK:
        WeekProposal.objects.filter(site=site, week_start=locked.week_start, status=WeekProposal.Status.DRAFT).exclude(
            pk=locked.pk
        ).update(status=WeekProposal.Status.SUPERSEDED)
    log_action(
        "scheduling.week.publish",
        obj=locked,
        actor=actor,
        data={"enrolments": enrolled, "appointments": len(locked.appointment_plan()), "cancelled_sessions": cancelled},
    )
    return locked
