# SPDX-License-Identifier: AGPL-3.0-or-later
"""The plan library: common SUD problems with their goals, objectives and
interventions, kept as data that the clinical director edits. A clinician
picks a problem and gets copies of its goal, objectives and interventions in
the draft plan, to individualize there; the library itself never changes a
plan after the copy."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.treatment.models.plans import ServiceType, validate_icd10


class LibraryEntry(models.Model):
    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem")
        GOAL = "goal", _("Goal")
        OBJECTIVE = "objective", _("Objective")
        INTERVENTION = "intervention", _("Intervention")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A goal or an intervention belongs to a problem, an objective to a goal.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="children", null=True, blank=True, verbose_name=_("under")
    )
    text = models.TextField(_("text"))
    icd10_code = models.CharField(
        _("ICD-10-CM code"), max_length=8, blank=True, validators=[validate_icd10], help_text=_("Problems only.")
    )
    measurable_target = models.CharField(_("measurable target"), max_length=300, blank=True)
    target_days = models.PositiveSmallIntegerField(
        _("days to the target date"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices, blank=True)
    sessions_per_week = models.DecimalField(
        _("sessions per week"), max_digits=3, decimal_places=1, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("14"))],
    )  # fmt: skip
    minutes = models.PositiveSmallIntegerField(
        _("minutes per session"), default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("plan library entry")
        verbose_name_plural = _("plan library")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def expected_parent_kind(self) -> str | None:
        return {
            self.Kind.GOAL: self.Kind.PROBLEM,
            self.Kind.INTERVENTION: self.Kind.PROBLEM,
            self.Kind.OBJECTIVE: self.Kind.GOAL,
        }.get(self.Kind(self.kind))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        wanted = self.expected_parent_kind() if self.kind else None
        if wanted is None and self.parent_id is not None:
            raise ValidationError({"parent": _("A problem stands on its own; leave this empty.")})
        if wanted is not None and (self.parent is None or self.parent.kind != wanted):
            raise ValidationError(
                {"parent": _("Choose the %(kind)s this belongs under.") % {"kind": self.Kind(wanted).label.lower()}}
            )
        if self.kind == self.Kind.OBJECTIVE and not self.measurable_target.strip():
            raise ValidationError({"measurable_target": _("An objective needs a measurable target.")})
        if self.kind == self.Kind.INTERVENTION and not self.service_type:
            raise ValidationError({"service_type": _("Choose the service.")})
