# SPDX-License-Identifier: AGPL-3.0-or-later
"""Clinical notes, group sessions, addenda and homework.

A group session holds the shared narrative; each participant's individualized
section is a ``Note`` of kind group on that participant's own episode, so it
lands in that chart only and is signed, co-signed and amended like any note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, Patient, SupportPerson
from openiop.sites.models import Site
from openiop.treatment import service_codes
from openiop.treatment.models.locking import LockedParentQuerySet, LockedRecordError, refuse_locked_changes
from openiop.treatment.models.plans import Objective


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class Curriculum(models.TextChoices):
    GENERAL = "general", _("General group counseling")
    RELAPSE_PREVENTION = "relapse_prevention", _("Relapse prevention")
    COPING_SKILLS = "coping_skills", _("Coping and life skills")
    ADDICTION_EDUCATION = "addiction_education", _("Addiction education")
    MATRIX_EARLY_RECOVERY = "matrix_early_recovery", _("Matrix Model: early recovery skills")
    MATRIX_RELAPSE_PREVENTION = "matrix_relapse_prevention", _("Matrix Model: relapse prevention")
    MATRIX_FAMILY_EDUCATION = "matrix_family_education", _("Matrix Model: family education")
    MATRIX_SOCIAL_SUPPORT = "matrix_social_support", _("Matrix Model: social support")


class GroupSessionQuerySet(LockedParentQuerySet):
    parent_status_lookup = "status"


class GroupSession(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="group_sessions")
    session_date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    topic = models.CharField(max_length=200)
    curriculum = models.CharField(max_length=30, choices=Curriculum.choices, default=Curriculum.GENERAL)
    curriculum_session = models.CharField(
        _("curriculum session"), max_length=100, blank=True, help_text=_("For example 'Relapse prevention 7'.")
    )
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(
        _("shared narrative"),
        blank=True,
        help_text=_("What the group did. It appears in every participant's chart: name no participant."),
    )
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    # Seam for the scheduling app: the scheduled session this note documents
    # (attendance will pre-fill participants and minutes). Plain id until that
    # model exists, so this app does not depend on it.
    scheduled_session_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = GroupSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-session_date", "-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="group_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_date:%Y-%m-%d} {self.topic}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_locked_changes(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk).exclude(status=NoteStatus.DRAFT).exists():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    @property
    def duration_minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (self.start_time.hour * 60 + self.start_time.minute)

    @property
    def session_end_at_site(self) -> dt.datetime:
        """When the group ended, on the wall clock of its site (as a note's)."""
        return dt.datetime.combine(self.session_date, self.end_time, tzinfo=self.site.zone)


class NoteQuerySet(LockedParentQuerySet):
    parent_status_lookup = "status"


class Note(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual therapy")
        FAMILY = "family", _("Family therapy")
        CASE_MANAGEMENT = "case_management", _("Case management")
        MEDICATION_MANAGEMENT = "medication_management", _("Medication management")
        GROUP = "group", _("Group counseling")

    class Participation(models.TextChoices):
        ACTIVE = "active", _("Actively participated")
        PARTICIPATED = "participated", _("Participated")
        MINIMAL = "minimal", _("Minimal participation")
        DISRUPTIVE = "disruptive", _("Disruptive")
        LEFT_EARLY = "left_early", _("Left early")
        ABSENT = "absent", _("Absent")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clinical_notes")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="clinical_notes")
    group = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="sections", null=True, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    note_format = models.CharField(_("template"), max_length=5)
    session_date = models.DateField(_("date of service"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField(default=dict, blank=True)
    participation = models.CharField(max_length=12, choices=Participation.choices, blank=True)
    minutes_attended = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(720)])
    # What was delivered, where and how (service_codes.py): the claim's line
    # and the payer's telehealth rules read them.
    service_code = models.CharField(_("service code"), max_length=5, blank=True, choices=service_codes.SERVICE_CODES)
    modality = models.CharField(
        _("modality"), max_length=20, choices=service_codes.MODALITIES, default=service_codes.IN_PERSON
    )
    place_of_service = models.CharField(
        _("place of service"), max_length=2, choices=service_codes.PLACES_OF_SERVICE, default="57"
    )
    objectives: models.ManyToManyField[Objective, NoteObjective] = models.ManyToManyField(
        Objective, through="NoteObjective", related_name="notes", blank=True
    )
    attendees: models.ManyToManyField[SupportPerson, NoteAttendee] = models.ManyToManyField(
        SupportPerson, through="NoteAttendee", related_name="family_notes", blank=True
    )
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    late_entry = models.BooleanField(default=False)
    # Signed before the session had ended (the signer confirmed and said why).
    early_entry = models.BooleanField(default=False)
    entry_reason = models.TextField(_("reason for signing early or late"), blank=True)
    cosign_required = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = NoteQuerySet.as_manager()

    MUTABLE_WHEN_SIGNED = ("cosigned_by_id", "cosigned_at")

    class Meta:
        ordering = ["-session_date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="note_ends_after_start"
            ),
            models.UniqueConstraint(fields=["group", "patient"], name="one_section_per_participant"),
        ]
        indexes = [
            models.Index(fields=["patient", "session_date"]),
            # The co-sign queue (a few hundred of a program's notes): read in
            # signing order without scanning every note ever written.
            models.Index(
                fields=["signed_at"],
                condition=models.Q(status="signed", cosign_required=True, cosigned_at__isnull=True),
                name="note_awaiting_cosign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.session_date:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_locked_changes(self, mutable=self.MUTABLE_WHEN_SIGNED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk).exclude(status=NoteStatus.DRAFT).exists():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    @property
    def awaiting_cosignature(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    @property
    def session_end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.session_date, self.end_time))

    @property
    def session_end_at_site(self) -> dt.datetime:
        """When the session ended, on the wall clock of the episode's site."""
        return dt.datetime.combine(self.session_date, self.end_time, tzinfo=self.episode.site.zone)

    @property
    def duration_minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (self.start_time.hour * 60 + self.start_time.minute)


class NoteChildQuerySet(LockedParentQuerySet):
    parent_status_lookup = "note__status"


class NoteChild(models.Model):
    """A row that belongs to a note and is locked with it."""

    objects = NoteChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._note_locked():
            raise LockedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._note_locked():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    def _note_locked(self) -> bool:
        return Note.objects.filter(pk=self.note_id).exclude(status=NoteStatus.DRAFT).exists()  # type: ignore[attr-defined]


class NoteObjective(NoteChild):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="objective_links")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="note_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "objective"], name="note_objective_once")]

    def __str__(self) -> str:
        return f"{self.note_id} -> {self.objective_id}"


class NoteAttendee(NoteChild):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attendee_links")
    person = models.ForeignKey(SupportPerson, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "person"], name="note_attendee_once")]

    def __str__(self) -> str:
        return f"{self.note_id} -> {self.person_id}"


class AddendumQuerySet(RestrictedQuerySet[Any]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise LockedRecordError(_("Addenda are part of the signed record and are never deleted."))

    def update(self, **kwargs: Any) -> int:
        raise LockedRecordError(_("Addenda are part of the signed record and are never changed."))


class Addendum(models.Model):
    """Dated, attributed text added to a signed note; insert-only."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    objects = AddendumQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to note {self.note_id} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise LockedRecordError(_("Addenda are part of the signed record and are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LockedRecordError(_("Addenda are part of the signed record and are never deleted."))

    @property
    def audit_patient_id(self) -> int:
        return self.note.patient_id


class Homework(models.Model):
    class AssignedTo(models.TextChoices):
        PATIENT = "patient", _("Patient")
        FAMILY = "family", _("Family")
        BOTH = "both", _("Patient and family")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="homework")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="homework")
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="homework", null=True, blank=True)
    assigned_to = models.CharField(max_length=10, choices=AssignedTo.choices, default=AssignedTo.PATIENT)
    support_person = models.ForeignKey(
        SupportPerson, on_delete=models.PROTECT, related_name="homework", null=True, blank=True
    )
    description = models.TextField(_("assignment"))
    due_date = models.DateField(_("due"))
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["completed_on", "due_date", "pk"]
        verbose_name_plural = "homework"

    def __str__(self) -> str:
        return f"{self.get_assigned_to_display()}: {self.description[:60]}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LockedRecordError(_("Homework is part of the clinical record and is never deleted."))

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id
