# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims actions and who holds them by default.

- claims.view: the claims list and a claim's page, the denials queue: the
  billing specialist and the administrator.
- claims.work: build claims, build a corrected claim (frequency 7) or a void
  (8) for a denied or rejected one: the billing specialist.
"""

from openiop.core.roles import RoleCode, declare

CLAIMS_VIEW = declare(
    "claims.view",
    "See claims, their answers from payers and the denials queue",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMINISTRATOR},
)
CLAIMS_WORK = declare(
    "claims.work",
    "Build claims, corrected claims and voids",
    {RoleCode.BILLING_SPECIALIST},
)
