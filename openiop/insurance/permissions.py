# SPDX-License-Identifier: AGPL-3.0-or-later
"""Insurance actions and who holds them by default.

- coverage.view: whoever needs to know how care is paid for: the clinical
  team, billing, admissions navigators (benefits are checked at intake) and
  the front desk (cards are copied at check-in).
- coverage.edit: enter or correct a coverage and its card images: billing,
  admissions navigators, the front desk.
- eligibility.check: verify eligibility and benefits (phone, portal, or an
  electronic 270 through the clearinghouse): billing, admissions navigators.
- authorizations.edit: enter and update payers' authorizations: billing and
  the clinical director (who handles concurrent reviews).
- authorizations.alerts: see authorizations running out on the dashboard:
  billing and the clinical roles.

The matrix is data: a program can change any of this.
"""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

COVERAGE_VIEW = declare(
    "coverage.view",
    "See patients' insurance coverage, eligibility checks and authorizations",
    CLINICAL_ROLES | {RoleCode.BILLING_SPECIALIST, RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.FRONT_DESK},
)
COVERAGE_EDIT = declare(
    "coverage.edit",
    "Enter or correct a patient's insurance coverage and card images",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.FRONT_DESK},
)
ELIGIBILITY_CHECK = declare(
    "eligibility.check",
    "Verify eligibility and benefits (phone, portal or electronic 270/271)",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMISSIONS_NAVIGATOR},
)
AUTHORIZATIONS_EDIT = declare(
    "authorizations.edit",
    "Enter and update payers' authorizations",
    {RoleCode.BILLING_SPECIALIST, RoleCode.CLINICAL_DIRECTOR},
)
AUTHORIZATIONS_ALERTS = declare(
    "authorizations.alerts",
    "See authorizations running out (units, end date, concurrent review) on the dashboard",
    CLINICAL_ROLES | {RoleCode.BILLING_SPECIALIST},
)
