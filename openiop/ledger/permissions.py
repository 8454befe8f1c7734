# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ledger actions and who holds them by default.

- ledger.view: a patient's account (charges, payments, adjustments, the
  balance per responsible party) and statements: the billing specialist, the
  administrator and the front desk (who answer "what do I owe?" at check-in).
- ledger.post: record a patient payment, a refund, financing or an
  adjustment: the billing specialist and the front desk (who take payments at
  the window). Adjustments and refunds are further limited in the services.
- ledger.adjust: adjustments, refunds and reversals (they change what a
  patient owes without money coming in): the billing specialist only.
"""

from openiop.core.roles import RoleCode, declare

LEDGER_VIEW = declare(
    "ledger.view",
    "See patients' accounts, balances and statements",
    {RoleCode.BILLING_SPECIALIST, RoleCode.ADMINISTRATOR, RoleCode.FRONT_DESK},
)
LEDGER_POST = declare(
    "ledger.post",
    "Record patient payments, refunds, financing and adjustments",
    {RoleCode.BILLING_SPECIALIST, RoleCode.FRONT_DESK},
)
LEDGER_ADJUST = declare(
    "ledger.adjust",
    "Adjust patients' balances, refund and reverse ledger transactions",
    {RoleCode.BILLING_SPECIALIST},
)
