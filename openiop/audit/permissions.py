# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.accounts.roles import RoleCode, declare

AUDIT_VIEW = declare("audit.view", "Review the audit log (compliance page)", {RoleCode.ADMINISTRATOR})
AUDIT_EXPORT = declare("audit.export", "Export the audit log as CSV", {RoleCode.ADMINISTRATOR})
