# SPDX-License-Identifier: AGPL-3.0-or-later
"""Good Faith Estimate actions and who holds them by default.

- estimates.view: see a patient's estimates, the list of estimates due and
  overdue, and their PDFs: billing, the administrator, the front desk and
  admissions navigators (who talk with self-pay patients about cost).
- estimates.issue: draft, issue, revise and record the delivery of an
  estimate: the billing specialist and admissions navigators.

The matrix is data: a program can change any of this.
"""

from openiop.core.roles import RoleCode, declare

ESTIMATES_VIEW = declare(
    "estimates.view",
    "See Good Faith Estimates for self-pay patients and the ones due or overdue",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMINISTRATOR, RoleCode.FRONT_DESK, RoleCode.ADMISSIONS_NAVIGATOR},
)
ESTIMATES_ISSUE = declare(
    "estimates.issue",
    "Draft, issue, revise and record the delivery of Good Faith Estimates",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMISSIONS_NAVIGATOR},
)
