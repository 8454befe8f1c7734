# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import ALL_ROLES, RoleCode, declare

SITE_VIEW = declare("sites.view", "See one's sites, rooms and opening hours", ALL_ROLES)
SITE_MANAGE = declare("sites.manage", "Change sites, rooms and opening hours", {RoleCode.ADMINISTRATOR})
