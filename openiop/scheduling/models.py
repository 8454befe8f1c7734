# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tracks, recurring group series and their sessions, enrolments, individual
appointments, availability, attendance, calendar feed tokens and the
optimizer's week proposals.

Times: sessions and appointments store aware datetimes (UTC in the
database); forms and calendars work in the site's own time zone. The pure
rules (hours arithmetic, the week planner) live in ``hours.py`` and
``optimizer/``; the rules that need the database live in ``services.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from typing import Any

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped, unused-ignore]
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, Patient
from openiop.scheduling import catalog, hours
from openiop.scheduling.timespan import SiteTimeSpan
from openiop.sites.models import Room, Site, Weekday

# Keeps a typo such as FREQ=MINUTELY from filling the calendar with thousands of rows.
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")


def service_choices(*, groups_only: bool = False) -> list[tuple[str, str]]:
    return [
        (service.key, service.name)
        for service in catalog.SERVICES.values()
        if not groups_only or service.kind is catalog.Kind.GROUP
    ]


def parse_rrule(text: str, first: dt.datetime) -> rrule:
    """Parse an RFC 5545 RRULE (with or without the "RRULE:" prefix) starting
    at FIRST; raises ValidationError with a message staff can act on."""
    body = text.strip().removeprefix("RRULE:").strip()
    if not body:
        raise ValidationError(_("Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=MO,WE,FR."))
    parts = dict(part.split("=", 1) for part in body.upper().split(";") if "=" in part)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            _("The rule must repeat daily, weekly or monthly (FREQ=DAILY, WEEKLY or MONTHLY), not %(freq)s."),
            params={"freq": parts.get("FREQ", _("nothing"))},
        )
    if any(key in parts for key in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise ValidationError(_("Set the time with the start and end fields, not BYHOUR/BYMINUTE in the rule."))
    try:
        parsed = rrulestr(body, dtstart=first)
    except (ValueError, TypeError) as error:
        raise ValidationError(
            _("This is not a valid RFC 5545 recurrence rule (%(error)s). Example: FREQ=WEEKLY;BYDAY=TU,TH."),
            params={"error": str(error)},
        ) from None
    if not isinstance(parsed, rrule):
        raise ValidationError(_("Enter a single RRULE, not a set of rules."))
    return parsed


class Track(models.Model):
    """A program track at a site: groups at times that suit people who work
    days (evening), nights (morning) or weekdays (weekend)."""

    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")
        WEEKEND = "weekend", _("Weekend")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tracks")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="track_name_unique_per_site")]

    def __str__(self) -> str:
        return self.name


class SessionSeries(models.Model):
    """A recurring group: its RRULE expands into concrete ``Session`` rows,
    which are what people enrol in and what attendance is taken for."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="session_series")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="series")
    service = models.CharField(max_length=40, choices=service_choices(groups_only=True))
    title = models.CharField(max_length=120)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="session_series")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity_min = models.PositiveSmallIntegerField(_("minimum group size"), default=3)
    capacity_max = models.PositiveSmallIntegerField(_("maximum group size"), default=12)
    starts_on = models.DateField(_("first date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    rrule = models.CharField(
        _("recurrence rule (RFC 5545)"),
        max_length=300,
        help_text=_("For example FREQ=WEEKLY;BYDAY=MO,WE,FR or FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "track", "start_time", "title"]
        verbose_name_plural = "session series"
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_min__gte=1), name="series_min_at_least_one"),
            models.CheckConstraint(
                condition=models.Q(capacity_max__gte=models.F("capacity_min")), name="series_max_at_least_min"
            ),
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="series_end_after"),
        ]

    def __str__(self) -> str:
        return self.title

    def occurrences(self, start: dt.date, end: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """(start, end) aware datetimes of each occurrence whose local date
        lies in [START, END], in the site's time zone."""
        zone = zoneinfo.ZoneInfo(self.site.time_zone)
        first = dt.datetime.combine(self.starts_on, self.start_time)
        rule = parse_rrule(self.rrule, first)
        low = dt.datetime.combine(max(start, self.starts_on), dt.time(0))
        high = dt.datetime.combine(end, dt.time(23, 59, 59))
        length = dt.datetime.combine(self.starts_on, self.end_time) - first
        # Expanded as wall-clock times, then placed in the zone: a 09:00
        # group stays at 09:00 across a daylight-saving change.
        return [
            (local.replace(tzinfo=zone), local.replace(tzinfo=zone) + length)
            for local in rule.between(low, high, inc=True)
        ]


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Canceled")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class Session(SiteTimeSpan):
    """One meeting of a group (an occurrence of a series, or a one-off)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(SessionSeries, on_delete=models.PROTECT, related_name="sessions", null=True, blank=True)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="sessions", null=True, blank=True)
    service = models.CharField(max_length=40, choices=service_choices(groups_only=True))
    title = models.CharField(max_length=120)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity_min = models.PositiveSmallIntegerField(_("minimum group size"), default=3)
    capacity_max = models.PositiveSmallIntegerField(_("maximum group size"), default=12)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    status_reason = models.TextField(blank=True)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="rescheduled_from", null=True, blank=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["start", "title"]
        indexes = [models.Index(fields=["site", "start"]), models.Index(fields=["room", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=models.Q(capacity_min__gte=1), name="session_min_at_least_one"),
            models.CheckConstraint(
                condition=models.Q(capacity_max__gte=models.F("capacity_min")), name="session_max_at_least_min"
            ),
            models.UniqueConstraint(fields=["series", "start"], name="one_session_per_series_start"),
        ]

    def __str__(self) -> str:
        local = self.local_start
        return f"{self.title} {local:%Y-%m-%d %H:%M}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def service_name(self) -> str:
        service = catalog.SERVICES.get(self.service)
        return service.name if service else self.service


class Enrolment(models.Model):
    """A patient (through an active episode) booked into a group session."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Booked by staff")
        OPTIMIZER = "optimizer", _("Published week plan")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="enrolments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="enrolments")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["session", "patient__legal_last_name", "patient__legal_first_name"]
        constraints = [models.UniqueConstraint(fields=["session", "patient"], name="enrolled_once_per_session")]

    def __str__(self) -> str:
        return f"{self.patient.display_name} in {self.session}"

    @property
    def audit_site_id(self) -> int:
        return self.session.site_id


class Appointment(SiteTimeSpan):
    """An individual, family or medication appointment with one clinician."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="appointments")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    service = models.CharField(max_length=40, choices=service_choices())
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    status_reason = models.TextField(blank=True)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="rescheduled_from", null=True, blank=True
    )
    source = models.CharField(max_length=12, choices=Enrolment.Source.choices, default=Enrolment.Source.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["clinician", "start"]), models.Index(fields=["patient", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} {self.local_start:%Y-%m-%d %H:%M}"

    @property
    def service_name(self) -> str:
        service = catalog.SERVICES.get(self.service)
        return service.name if service else self.service

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED


class PatientAvailability(models.Model):
    """A weekly window of the patient's week. "Free" windows say when they
    can come; work, school and other windows say when they cannot (the week
    planner takes the free windows, or the site's opening hours when none are
    given, minus the busy ones)."""

    class Kind(models.TextChoices):
        FREE = "free", _("Free to attend")
        WORK = "work", _("Work")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other commitment")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="availability")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FREE)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    note = models.CharField(max_length=120, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "weekday", "start_time"]
        verbose_name_plural = "patient availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="patient_window_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def is_busy(self) -> bool:
        return self.kind != self.Kind.FREE


class ClinicianAvailability(models.Model):
    """When a clinician can see patients individually at a site, each week."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="clinician_availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    weekly_caseload = models.PositiveSmallIntegerField(
        _("individual patients per week"),
        default=15,
        help_text=_("Most patients this clinician sees individually in one week (the largest value set applies)."),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["user", "weekday", "start_time"]
        verbose_name_plural = "clinician availability"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="clinician_window_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Attendance(models.Model):
    """What happened for one participant of one group session or appointment."""

    class Status(models.TextChoices):
        # The values and what each counts in minutes are the hours engine's.
        PRESENT = hours.PRESENT, _("Present")
        LATE = hours.LATE, _("Late")
        LEFT_EARLY = hours.LEFT_EARLY, _("Left early")
        ABSENT = hours.ABSENT, _("Absent (excused)")
        NO_SHOW = hours.NO_SHOW, _("No-show")

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", null=True, blank=True
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="attendance", null=True, blank=True
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    minutes_attended = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(enrolment__isnull=False) & models.Q(appointment__isnull=True))
                | (models.Q(enrolment__isnull=True) & models.Q(appointment__isnull=False)),
                name="attendance_for_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.minutes_attended} min)"

    @property
    def audit_patient_id(self) -> int | None:
        owner = self.enrolment or self.appointment
        return owner.patient_id if owner else None

    @property
    def audit_site_id(self) -> int | None:
        if self.enrolment is not None:
            return self.enrolment.session.site_id
        return self.appointment.site_id if self.appointment else None

    @property
    def counts_as_attended(self) -> bool:
        return hours.counts_as_attended(self.status)


def hash_feed_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class FeedToken(models.Model):
    """A revocable calendar feed: a patient's own sessions, or a staff
    member's. Only a hash of the key is stored; the URL is shown once."""

    class Kind(models.TextChoices):
        PATIENT = "patient", _("Patient")
        STAFF = "staff", _("Staff member")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="feed_tokens", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens", null=True, blank=True
    )
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="patient", patient__isnull=False, user__isnull=True))
                | (models.Q(kind="staff", user__isnull=False, patient__isnull=True)),
                name="feed_token_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed {self.label or self.pk}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class WeekProposal(models.Model):
    """A week the optimizer built for one site, kept for review. Nothing in
    the schedule changes until it is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the planner")
        BUILDING = "building", _("Being built")
        DRAFT = "draft", _("Ready for review")
        FAILED = "failed", _("Could not be built")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Replaced by a newer proposal")

    class Kind(models.TextChoices):
        WEEK = "week", _("Whole week")
        REPLAN = "replan", _("One patient re-planned")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="week_proposals")
    week_start = models.DateField(help_text=_("The Monday the week starts."))
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WEEK)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    solver_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    # Episode ids whose week this proposal sets; publishing changes no one else.
    episode_ids = models.JSONField(default=list)
    # {"groups": {episode_id: [session_id, ...]}, "appointments": [{episode, clinician, start, end, service}]}
    plan = models.JSONField(default=dict)
    explanations = models.JSONField(default=dict, blank=True)  # episode_id -> [reason, ...]
    shortfalls = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Session id -> version when the proposal was built: a session changed
    # since then makes the proposal stale.
    session_versions = models.JSONField(default=dict)
    objective = models.BigIntegerField(default=0)
    bound = models.BigIntegerField(default=0)
    meeting = models.PositiveIntegerField(default=0)
    solve_seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # When the background worker picked the build up (queued -> building).
    started_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    RUNNING = (Status.QUEUED, Status.BUILDING)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One build at a time per site and week, also under two clicks at once.
            models.UniqueConstraint(
                fields=["site", "week_start"],
                condition=models.Q(status__in=["queued", "building"]),
                name="one_running_week_build",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} week of {self.week_start:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def gap(self) -> float:
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)

    def group_plan(self) -> dict[int, list[int]]:
        groups: dict[str, list[int]] = self.plan.get("groups", {})
        return {int(key): [int(value) for value in values] for key, values in groups.items()}

    def appointment_plan(self) -> list[dict[str, Any]]:
        return list(self.plan.get("appointments", []))
