# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ways-to-pay actions and who holds them by default.

- assistance.view: a patient's income attestation and discount tier,
  payment plans and awards, and the funds with their remaining budgets: the
  billing specialist, the administrator and the front desk (who answer "how
  can I pay?" at the window).
- assistance.manage: record attestations, apply the sliding fee, set up and
  cancel plans, create funds, make and reverse awards: the billing specialist.

Clinicians see none of it: what a patient earns is not clinical information.
"""

from openiop.core.roles import RoleCode, declare

ASSISTANCE_VIEW = declare(
    "assistance.view",
    "See patients' income attestations, sliding fee discounts, payment plans and awards, and the funds",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMINISTRATOR, RoleCode.FRONT_DESK},
)
ASSISTANCE_MANAGE = declare(
    "assistance.manage",
    "Record income attestations, apply the sliding fee, set up payment plans, manage funds and awards",
    {RoleCode.BILLING_SPECIALIST},
)
