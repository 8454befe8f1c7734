# SPDX-License-Identifier: AGPL-3.0-or-later
"""Directory actions. The public search needs none; importing outside
facilities changes what every visitor sees, so it is an administrator's job
by default."""

from openiop.core.roles import RoleCode, declare

DIRECTORY_IMPORT = declare(
    "directory.import",
    "Import outside treatment facilities into the public directory",
    {RoleCode.ADMINISTRATOR},
)
