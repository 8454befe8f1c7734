# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import ALL_ROLES, RoleCode, declare

DASHBOARD_VIEW = declare("dashboard.view", "See the dashboard", ALL_ROLES)
STAFF_VIEW = declare(
    "staff.view", "See staff accounts at one's sites", {RoleCode.ADMINISTRATOR, RoleCode.CLINICAL_DIRECTOR}
)
STAFF_MANAGE = declare("staff.manage", "Create and change staff accounts", {RoleCode.ADMINISTRATOR})
MATRIX_VIEW = declare("permissions.view", "See the permission matrix", {RoleCode.ADMINISTRATOR})
MATRIX_MANAGE = declare("permissions.manage", "Change the permission matrix", {RoleCode.ADMINISTRATOR})
