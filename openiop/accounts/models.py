# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet


class Action(models.Model):
    """Something a view or service checks before it acts ("audit.view")."""

    code = models.CharField(max_length=80, unique=True)
    label = models.CharField(max_length=200)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Role(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    actions = models.ManyToManyField(Action, related_name="roles", blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)


class StaffUserManager(UserManager["User"]):
    def get_queryset(self) -> RestrictedQuerySet[User]:
        return RestrictedQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, action: str) -> RestrictedQuerySet[User]:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    """A staff member. Every person who logs in has their own account (HIPAA
    unique user identification); roles and sites decide what they reach."""

    credentials = models.CharField(
        _("credentials"), max_length=60, blank=True, help_text=_("For example LCSW, RN, MD.")
    )
    roles = models.ManyToManyField(Role, related_name="users", blank=True)
    sites = models.ManyToManyField("sites.Site", related_name="staff", blank=True)
    requires_cosignature = models.BooleanField(
        _("requires co-signature"), default=False, help_text=_("Notes need a supervisor's co-signature.")
    )
    # Who reads this person's SUD counseling notes besides them (with the
    # supervise action), and whose patients' clinical records they reach when
    # this person is on the care team (need to know).
    clinical_supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        verbose_name=_("clinical supervisor"),
        help_text=_("Reads this person's SUD counseling notes and reaches the patients of their care teams."),
    )

    objects: ClassVar[StaffUserManager] = StaffUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full}, {self.credentials}" if full and self.credentials else full or self.username

    def _site_rows(self) -> list[tuple[int, str]]:
        """(pk, time zone) of the user's sites, read once per user object
        (that is, once per request): access checks and the clock share it."""
        cached: list[tuple[int, str]] | None = getattr(self, "_openiop_site_rows", None)
        if cached is None:
            cached = list(self.sites.values_list("pk", "time_zone"))
            self._openiop_site_rows = cached
        return cached

    def site_ids(self) -> list[int]:
        return [pk for pk, _zone in self._site_rows()]

    def site_time_zones(self) -> set[str]:
        return {zone for _pk, zone in self._site_rows()}

    def role_codes(self) -> list[str]:
        return sorted(self.roles.values_list("code", flat=True))
