# SPDX-License-Identifier: AGPL-3.0-or-later
"""SUD counseling notes (42 CFR 2.11), kept apart from the rest of the record.

A counseling note records what was said in a counseling conversation. Its
text lives in this table only: never in ``Note.sections``, a chart list, a
search, an export or a report. Its own scope rule lets in its author and the
author's clinical supervisor, nobody else (not the site, not the care team,
not emergency access), and the disclosure gate treats it as the
counseling-notes class, which only a counseling-notes consent covers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, Patient
from openiop.privacy.information import InformationClass
from openiop.treatment.models.locking import LockedRecordError
from openiop.treatment.models.notes import NoteStatus


class CounselingNote(models.Model):
    # What the disclosure gate calls this record: never covered by a TPO or
    # other consent, only by a counseling-notes consent.
    INFORMATION_CLASS = InformationClass.COUNSELING_NOTES

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session_date = models.DateField(_("date of the conversation"))
    text = models.TextField(_("counseling note"))
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-session_date", "-pk"]
        indexes = [models.Index(fields=["patient", "author"])]

    def __str__(self) -> str:
        # Also what the audit log keeps as the object's name: never the text.
        return f"SUD counseling note {self.session_date:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=NoteStatus.SIGNED).exists():
            raise LockedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk).exclude(status=NoteStatus.DRAFT).exists():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id
