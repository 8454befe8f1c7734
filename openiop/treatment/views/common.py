# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openiop.accounts.models import User
from openiop.core.roles import CLINICAL_ROLES
from openiop.sites.models import Site


def clinical_staff(site_ids: list[int] | Any) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, sites__in=site_ids, roles__code__in=CLINICAL_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


def user_sites(user: Any) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=user.site_ids()).order_by("name")
