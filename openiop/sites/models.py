# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.core.ascii_digits import US_ZIP_REGEX

# [0-9], not \d: \d also matches Arabic-Indic and full-width digits, which
# the ZIP lookup cannot read (see openiop.core.ascii_digits).
zip_validator = RegexValidator(US_ZIP_REGEX, _("Enter a US ZIP code such as 02139 or 02139-4307."))
# Letters and digits only: the hyphen separates prefix and number in an MRN
# (OI-000123), so no prefix can read as the start of another's numbers.
mrn_prefix_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{0,5}$", _("Use 1 to 6 capital letters or digits, starting with a letter, e.g. OI.")
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (use a name such as America/Chicago)."), params={"value": value}
        )


class Organization(models.Model):
    """The provider running the program. OpenIOP serves one organization."""

    name = models.CharField(max_length=200)
    npi = models.CharField(
        _("NPI"), max_length=10, blank=True, validators=[RegexValidator(r"^[0-9]{10}\Z", _("An NPI has 10 digits."))]
    )
    tax_id = models.CharField(_("TIN"), max_length=10, blank=True)
    # Unique and never empty: two organizations with one prefix would issue
    # the same medical record numbers.
    mrn_prefix = models.CharField(
        _("medical record number prefix"),
        max_length=6,
        default="OI",
        unique=True,
        validators=[mrn_prefix_validator],
        help_text=_("Starts every medical record number the organization issues (OI-000123). No two share one."),
    )
    # On by default: clinical notes, instruments, drug tests and medications
    # reach the patient's care team, their supervisors and whoever holds
    # treatment.whole_site (the clinical director); everyone else at the site
    # sees demographics and the schedule, and the rest through emergency access.
    need_to_know = models.BooleanField(
        _("need to know"),
        default=True,
        help_text=_(
            "Limit clinical notes, instruments, drug tests and medications to the patient's care team, their "
            "supervisors and the clinical director; others at the site use emergency access."
        ),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(mrn_prefix=""), name="organization_mrn_prefix_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=20, unique=True, help_text=_("Short code shown in lists, e.g. 'north'."))
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(
        max_length=2, validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter state code."))]
    )
    zip_code = models.CharField(_("ZIP code"), max_length=10, validators=[zip_validator])
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def audit_site_id(self) -> int | None:
        # So events about a site itself (a refused look at another site's
        # page) can be found by the site filter like those about its rooms.
        return self.pk


class Weekday(models.IntegerChoices):
    """The one weekday vocabulary (opening hours, availability, series): Python's
    ``date.weekday()`` numbering, Monday 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_close_after_open"
            ),
        ]
        verbose_name_plural = "opening hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_name_unique_per_site"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"
