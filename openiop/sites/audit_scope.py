# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which audit events a reviewer reaches.

An event names the site of the record it concerns. A reviewer sees the events
of their own sites. Events of no site (sign-ins, failed sign-ins, permission
matrix changes, exports) and of sites they do not work at are seen only by a
reviewer who works at every site, or who holds ``audit.organization_wide``.

The rule lives with the sites (it needs them) and the sites app registers it
for the audit log from its ``ready()``: audit sits below sites and names none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from openiop.audit.permissions import AUDIT_ORGANIZATION
from openiop.core.access import has_action

if TYPE_CHECKING:
    from openiop.accounts.models import User


def reaches_every_site(user: User) -> bool:
    from openiop.sites.models import Site

    site_ids = user.site_ids()
    # No sites at all reaches nothing: fail closed, not "all of none".
    return bool(site_ids) and not Site.objects.exclude(pk__in=site_ids).exists()


def audit_scope(queryset: models.QuerySet[Any], user: User, action: str) -> models.QuerySet[Any]:
    if has_action(user, AUDIT_ORGANIZATION) or reaches_every_site(user):
        return queryset
    # site_id IN (...) never matches NULL: events of no site stay out.
    return queryset.filter(site_id__in=user.site_ids())
