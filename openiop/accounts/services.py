# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for staff accounts and the permission matrix."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from openiop.accounts.models import Action, Role, User
from openiop.audit.services import log_action
from openiop.core.access import forget_cached_actions
from openiop.core.roles import RoleCode, declared_actions

ADMINISTRATOR_KEEPS = frozenset({"permissions.view", "permissions.manage", "dashboard.view"})


def sync_permission_matrix(*, using: str = "default") -> list[str]:
    """Make sure every role and declared action exists.

    An action seen for the first time gets its default roles; an action that
    already exists keeps whatever grants an administrator has set since.
    Returns the codes of newly created actions.
    """
    for code, label in RoleCode.choices:
        Role.objects.using(using).get_or_create(code=code, defaults={"name": str(label)})
    roles = {role.code: role for role in Role.objects.using(using).all()}
    created_codes = []
    for spec in declared_actions():
        action, created = Action.objects.using(using).get_or_create(code=spec.code, defaults={"label": spec.label})
        if created:
            created_codes.append(spec.code)
            for role_code in spec.default_roles:
                roles[role_code].actions.add(action)
        elif action.label != spec.label:
            action.label = spec.label
            action.save(update_fields=["label"])
    return created_codes


@transaction.atomic
def matrix_set_grant(*, actor: User, role: Role, action: Action, granted: bool) -> None:
    """Grant or withdraw one action from one role (audited).

    The administrator role always keeps the matrix actions: withdrawing them
    would leave nobody able to put the matrix right again.
    """
    if not granted and role.code == RoleCode.ADMINISTRATOR and action.code in ADMINISTRATOR_KEEPS:
        raise ValidationError(
            _("Administrators always keep “%(action)s”, so the matrix can always be corrected.")
            % {"action": action.label}
        )
    if granted:
        role.actions.add(action)
    else:
        role.actions.remove(action)
    forget_cached_actions(actor)
    log_action(
        "permissions.grant" if granted else "permissions.revoke",
        actor=actor,
        obj=role,
        data={"role": role.code, "action": action.code},
    )


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    email: str = "",
    credentials: str = "",
    role_codes: Iterable[str],
    sites: Iterable[models.Model],  # sites.Site rows (sites sits above accounts)
    requires_cosignature: bool = False,
    is_staff: bool = False,
) -> User:
    """Create a staff member with roles and sites. ``password=None`` leaves the
    account without a usable password until they use the reset link."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        credentials=credentials,
        requires_cosignature=requires_cosignature,
        is_staff=is_staff,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.roles.set(Role.objects.filter(code__in=list(role_codes)))
    user.sites.set([site.pk for site in sites])
    log_action("staff.create", obj=user, data={"roles": sorted(role_codes)})
    return user
