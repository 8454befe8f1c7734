# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one access path: who may do what, to which records.

Two questions, always asked together:
1. Does one of the user's roles grant the action? (the permission matrix, data
   in the database, editable by administrators)
2. Which rows does the action reach? (scope rules registered per model: site
   membership now; care team and Part 2 consent join later through
   ``register_scope``).

``RestrictedQuerySet.restrict(user, action)`` answers both and fails closed: no
grant, no scope rule, an inactive or anonymous user all give an empty queryset,
so a view built on it answers 404 rather than leaking a record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_M = TypeVar("_M", bound=models.Model)


class SiteMember(Protocol):
    """What the site rule asks of a user: the staff user model
    (settings.AUTH_USER_MODEL, accounts.User) lives on a floor above this one."""

    def site_ids(self) -> list[int]: ...


# A rule's user is the signed-in staff user (accounts.User); typed Any because
# the ground floor cannot name it, so each app's rules may type it as they need.
ScopeRule = Callable[["models.QuerySet[Any]", Any, str], "models.QuerySet[Any]"]

_scope_rules: dict[type[models.Model], list[ScopeRule]] = {}

_ACTIONS_CACHE_ATTR = "_openiop_allowed_actions"


def allowed_actions(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Codes of every action the user's roles grant (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    cached = getattr(user, _ACTIONS_CACHE_ATTR, None)
    if cached is None:
        # Through the user model's roles (accounts.User.roles -> Role.actions): one query, as before.
        if user.pk is None:  # an unsaved user has no roles
            return frozenset()
        codes = get_user_model()._default_manager.filter(pk=user.pk).values_list("roles__actions__code", flat=True)
        # A user without roles yields one row of None (the outer join).
        cached = frozenset(code for code in codes.distinct() if code is not None)
        setattr(user, _ACTIONS_CACHE_ATTR, cached)
    return cached


def forget_cached_actions(user: AbstractBaseUser | AnonymousUser) -> None:
    if hasattr(user, _ACTIONS_CACHE_ATTR):
        delattr(user, _ACTIONS_CACHE_ATTR)


def has_action(user: AbstractBaseUser | AnonymousUser, action: str) -> bool:
    return action in allowed_actions(user)


def register_scope(model: type[models.Model], rule: ScopeRule) -> None:
    """Add a row filter that every ``restrict`` on MODEL applies (all must pass).

    Later domains add care-team and consent rules here; nothing else changes.
    """
    _scope_rules.setdefault(model, []).append(rule)


def scope_rules(model: type[models.Model]) -> list[ScopeRule]:
    concrete = model._meta.concrete_model or model
    return list(_scope_rules.get(concrete, []))


def by_site(site_lookup: str) -> ScopeRule:
    """Rows whose site (reached through SITE_LOOKUP) is one of the user's sites."""

    def rule(queryset: models.QuerySet[Any], user: SiteMember, action: str) -> models.QuerySet[Any]:
        return queryset.filter(**{f"{site_lookup}__in": user.site_ids()}).distinct()

    rule.__name__ = f"by_site({site_lookup})"
    return rule


def everything(queryset: models.QuerySet[Any], user: Any, action: str) -> models.QuerySet[Any]:
    """Explicit 'no row filter' for organization-wide data (roles, actions)."""
    return queryset


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: AbstractBaseUser | AnonymousUser, action: str) -> RestrictedQuerySet[_M]:
        if not has_action(user, action):
            return self.none()
        rules = scope_rules(self.model)
        if not rules:
            # A model nobody described a scope for is invisible, not public.
            return self.none()
        queryset: models.QuerySet[Any] = self
        for rule in rules:
            queryset = rule(queryset, user, action)  # has_action() ruled out AnonymousUser
        return queryset  # type: ignore[return-value]
