# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import RoleCode, declare

AUDIT_VIEW = declare("audit.view", "Review the audit log (compliance page)", {RoleCode.ADMINISTRATOR})
AUDIT_EXPORT = declare("audit.export", "Export the audit log as CSV", {RoleCode.ADMINISTRATOR})
# Widens what audit.view and audit.export reach; granted to nobody by default.
AUDIT_ORGANIZATION = declare(
    "audit.organization_wide",
    "Review every site's audit events and those of no site (sign-ins, permission changes)",
    set(),
)
