# SPDX-License-Identifier: AGPL-3.0-or-later
"""Data behind the public site's cost estimator and its rate limits.

Rates, poverty guidelines and sliding fee tiers are reference data an
administrator edits in the Django admin; none of it is about a person.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.public import estimator, poverty
from openiop.sites.models import Site

money_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100000))]
percent_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class RateCard(models.Model):
    """Illustrative self-pay rates for the estimator, for one site, one
    state, or the default card used where neither has one."""

    name = models.CharField(max_length=120)
    site = models.OneToOneField(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="rate_card")
    state = models.CharField(
        _("state"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter state code."))],
        help_text=_("For a regional card: the two-letter state code. Leave empty for a site's card or the default."),
    )
    is_default = models.BooleanField(
        _("default card"), default=False, help_text=_("Used where no site or state card applies. Exactly one.")
    )
    intake_assessment = models.DecimalField(max_digits=9, decimal_places=2, validators=money_validators)
    group_hour = models.DecimalField(
        _("group counseling, per hour"), max_digits=9, decimal_places=2, validators=money_validators
    )
    individual_session = models.DecimalField(
        _("individual therapy, per session"), max_digits=9, decimal_places=2, validators=money_validators
    )
    family_session = models.DecimalField(
        _("family therapy, per session"), max_digits=9, decimal_places=2, validators=money_validators
    )
    drug_test = models.DecimalField(_("drug test, each"), max_digits=9, decimal_places=2, validators=money_validators)
    medication_visit = models.DecimalField(
        _("medication management, per visit"), max_digits=9, decimal_places=2, validators=money_validators
    )
    variation_percent = models.DecimalField(
        _("estimate range, plus or minus %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(15),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(90))],
    )
    financing_apr_percent = models.DecimalField(
        _("financing APR %"), max_digits=5, decimal_places=2, default=Decimal("9.99"), validators=percent_validators
    )
    scholarship_max = models.DecimalField(
        _("largest scholarship"), max_digits=9, decimal_places=2, default=Decimal(0), validators=money_validators
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "state", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="ratecard_one_default"
            ),
            models.UniqueConstraint(fields=["state"], condition=~models.Q(state=""), name="ratecard_one_per_state"),
            models.CheckConstraint(
                condition=(
                    models.Q(site__isnull=False, state="", is_default=False)
                    | models.Q(site__isnull=True, is_default=True, state="")
                    | (models.Q(site__isnull=True, is_default=False) & ~models.Q(state=""))
                ),
                name="ratecard_site_state_or_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        scopes = [self.site_id is not None, bool(self.state), self.is_default]
        if sum(scopes) != 1:
            raise ValidationError(_("A rate card is for exactly one of: a site, a state, or the default."))

    def rates(self) -> estimator.Rates:
        return estimator.Rates(
            intake_assessment=self.intake_assessment,
            group_hour=self.group_hour,
            individual_session=self.individual_session,
            family_session=self.family_session,
            drug_test=self.drug_test,
            medication_visit=self.medication_visit,
            variation_percent=self.variation_percent,
        )


class PovertyGuideline(models.Model):
    """One year's HHS poverty guideline for one region (the 48 contiguous
    states and DC, Alaska, Hawaii)."""

    class Region(models.TextChoices):
        CONTIGUOUS = poverty.CONTIGUOUS, _("48 contiguous states and DC")
        ALASKA = poverty.ALASKA, _("Alaska")
        HAWAII = poverty.HAWAII, _("Hawaii")

    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    region = models.CharField(max_length=2, choices=Region.choices)
    first_person = models.DecimalField(max_digits=9, decimal_places=2, validators=money_validators)
    each_additional = models.DecimalField(
        _("each additional person"), max_digits=9, decimal_places=2, validators=money_validators
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="poverty_guideline_year_region")]

    def __str__(self) -> str:
        return f"HHS poverty guidelines {self.year}, {self.get_region_display()}"

    def guideline(self) -> poverty.Guideline:
        return poverty.Guideline(self.year, self.region, self.first_person, self.each_additional)


class SlidingFeeTier(models.Model):
    """The program's sliding fee policy: income at or below ``max_percent``
    of the poverty guideline gets ``discount_percent`` off the self-pay share."""

    max_percent = models.DecimalField(
        _("up to % of poverty guideline"),
        max_digits=6,
        decimal_places=2,
        unique=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
    )
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, validators=percent_validators
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["max_percent"]

    def __str__(self) -> str:
        return f"<= {self.max_percent}% of guideline: {self.discount_percent}% off"

    def tier(self) -> poverty.Tier:
        return poverty.Tier(self.max_percent, self.discount_percent)


class RateLimitEntry(models.Model):
    """The table of the ``ratelimit`` cache (see ``ratelimit.RateLimitCache``):
    counters shared by every web worker. Laid out exactly like Django's
    database cache table, so the cache backend reads and writes it; declared
    as a model so a migration creates it and test flushes empty it."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    # No scope rule on purpose: restrict() shows these rows to nobody.
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "openiop_ratelimit"
        default_permissions = ()

    def __str__(self) -> str:
        return self.cache_key
