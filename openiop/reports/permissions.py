# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reports actions and who holds them by default.

- reports.view: the revenue reports (A/R aging, denial rates, days in A/R,
  payments by month) and their CSV exports: money, so the billing specialist
  and the administrator only; clinicians and the clinical director do not
  need the program's receivables to treat anyone.
"""

from openiop.core.roles import RoleCode, declare

REPORTS_VIEW = declare(
    "reports.view",
    "See the revenue reports (A/R aging, denials, days in A/R, payments) and export them as CSV",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMINISTRATOR},
)
