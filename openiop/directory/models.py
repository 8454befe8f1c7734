# SPDX-License-Identifier: AGPL-3.0-or-later
"""The facility directory: our own sites (kept in step with ``sites.Site``)
and outside facilities imported from the national locator or a CSV file.

Public reference data, no patient data. Attributes are bit masks (see
``vocab.py``) so that a search is one indexed latitude/longitude range plus a
few integer tests."""

from __future__ import annotations

import enum
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.directory.geo import unit_vector
from openiop.directory.vocab import Age, Language, Payment, Service
from openiop.sites.models import Site

# Keyed by family first: members of different families share values (1, 2, ...).
LABELS: dict[type[enum.IntFlag], dict[enum.IntFlag, Promise]] = {
    Service: {
        Service.IOP: _("Intensive outpatient (IOP)"),
        Service.PHP: _("Partial hospitalization (day treatment)"),
        Service.OUTPATIENT: _("Outpatient"),
        Service.DETOX: _("Detox (withdrawal management)"),
        Service.MOUD: _("Medicines for opioid use disorder"),
        Service.MAUD: _("Medicines for alcohol use disorder"),
        Service.MATRIX: _("Matrix Model (for stimulant use)"),
    },
    Payment: {
        Payment.PRIVATE: _("Private insurance"),
        Payment.MEDICARE: _("Medicare"),
        Payment.MEDICAID: _("Medicaid"),
        Payment.TRICARE: _("TRICARE (military)"),
        Payment.SLIDING_FEE: _("Sliding fee (based on income)"),
        Payment.FREE: _("Free or no charge if you cannot pay"),
    },
    Age: {
        Age.ADULTS: _("Adults"),
        Age.ADOLESCENTS: _("Teens (adolescents)"),
    },
    Language: {
        Language.EN: _("English"),
        Language.ES: _("Spanish"),
        Language.ZH: _("Chinese"),
        Language.VI: _("Vietnamese"),
        Language.AR: _("Arabic"),
        Language.HT: _("Haitian Creole"),
        Language.PT: _("Portuguese"),
        Language.RU: _("Russian"),
        Language.FR: _("French"),
        Language.KO: _("Korean"),
        Language.TL: _("Tagalog"),
        Language.PL: _("Polish"),
        Language.SO: _("Somali"),
        Language.HMN: _("Hmong"),
        Language.ASL: _("American Sign Language"),
    },
}


def labels(family: type[enum.IntFlag], value: int) -> list[Promise]:
    return [LABELS[family][member] for member in family.__members__.values() if value & int(member)]


class Facility(models.Model):
    class Source(models.TextChoices):
        SITE = "site", _("Our own site")
        LOCATOR = "locator", _("National treatment locator")
        CSV = "csv", _("CSV import")
        SYNTHETIC = "synthetic", _("Synthetic (demo)")

    # Stable key that makes re-import update in place: "site:<pk>" for our own
    # sites, "locator:<id or hash>" and "csv:<id or hash>" for imports.
    external_key = models.CharField(max_length=120, unique=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    site = models.OneToOneField(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="facility")
    name = models.CharField(max_length=200)
    name2 = models.CharField(_("second name line"), max_length=200, blank=True)
    street1 = models.CharField(max_length=200, blank=True)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The position on the unit sphere (see geo.unit_vector), kept by save()
    # and by set_unit_vector() for bulk inserts, so the database can test and
    # sort by exact distance with arithmetic alone.
    unit_x = models.FloatField(null=True, blank=True, editable=False)
    unit_y = models.FloatField(null=True, blank=True, editable=False)
    unit_z = models.FloatField(null=True, blank=True, editable=False)
    services = models.PositiveIntegerField(default=0, help_text=_("Bit mask of vocab.Service"))
    payment = models.PositiveIntegerField(default=0, help_text=_("Bit mask of vocab.Payment"))
    ages = models.PositiveIntegerField(default=0, help_text=_("Bit mask of vocab.Age"))
    languages = models.PositiveIntegerField(default=0, help_text=_("Bit mask of vocab.Language"))
    evening_hours = models.BooleanField(default=False)
    weekend_hours = models.BooleanField(default=False)
    insurers = models.TextField(blank=True, help_text=_("Insurers accepted, one per line"))
    is_listed = models.BooleanField(default=True, help_text=_("Shown in public searches"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        indexes = [
            # The locator's one index: a latitude range, then everything the
            # search tests, so that rows are judged from the index alone.
            models.Index(
                fields=[
                    "latitude", "longitude", "is_listed", "services", "payment", "ages", "languages",
                    "evening_hours", "weekend_hours", "unit_x", "unit_y", "unit_z",
                ],
                name="facility_locator",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="facility_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="facility_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_unit_vector()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"latitude", "longitude"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "unit_x", "unit_y", "unit_z"}
        super().save(*args, **kwargs)

    def set_unit_vector(self) -> None:
        if self.latitude is None or self.longitude is None:
            self.unit_x = self.unit_y = self.unit_z = None
        else:
            self.unit_x, self.unit_y, self.unit_z = unit_vector(self.latitude, self.longitude)

    @property
    def audit_site_id(self) -> int | None:
        return self.site_id

    @property
    def is_own_site(self) -> bool:
        return self.site_id is not None

    def service_labels(self) -> list[Promise]:
        return labels(Service, self.services)

    def payment_labels(self) -> list[Promise]:
        return labels(Payment, self.payment)

    def age_labels(self) -> list[Promise]:
        return labels(Age, self.ages)

    def language_labels(self) -> list[Promise]:
        return labels(Language, self.languages)

    def insurer_list(self) -> list[str]:
        return [line.strip() for line in self.insurers.splitlines() if line.strip()]

    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in (f"{self.city}," if self.city else "", self.state, self.zip_code) if part)
        return [line for line in (self.street1, self.street2, city_line) if line]
