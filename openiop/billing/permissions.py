# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing actions and who holds them by default.

- billing.view: the billing workspace (charges to review and why they are
  held, authorizations running out, eligibility checks due, patients whose
  insurance is still to enter) and the chart's billing tab: the billing
  specialist, the clinical director (held charges often wait on a signed note
  or a diagnosis) and the administrator.
- billing.manage: fee schedules and other billing set-up: the billing
  specialist.
- billing.export: the CSV of charges (a read of patient data, audited): the
  billing specialist.
- billing.review_packet: build and release a concurrent-review packet for a
  payer's reviewer (released only through the Part 2 gate): the clinician
  writes the justification, the billing specialist sends it, the clinical
  director may do both.
- billing.missing_authorization: the dashboard block that says attendance
  happened with no authorization in force where the payer requires one (its
  charges are held): billing and the clinical roles, who can ask for one.

The matrix is data: a program can change any of this.
"""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

BILLING_VIEW = declare(
    "billing.view",
    "See the billing workspace: charges and why they are held, authorizations, eligibility checks due",
    {RoleCode.BILLING_SPECIALIST, RoleCode.CLINICAL_DIRECTOR, RoleCode.ADMINISTRATOR},
)
BILLING_MANAGE = declare(
    "billing.manage",
    "Keep fee schedules and billing set-up",
    {RoleCode.BILLING_SPECIALIST},
)
BILLING_EXPORT = declare(
    "billing.export",
    "Export charges as CSV (audited)",
    {RoleCode.BILLING_SPECIALIST},
)
BILLING_REVIEW_PACKET = declare(
    "billing.review_packet",
    "Build a concurrent-review packet for an authorization and release it to the payer's reviewer through the gate",
    {RoleCode.BILLING_SPECIALIST, RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR},
)
BILLING_MISSING_AUTHORIZATION = declare(
    "billing.missing_authorization",
    "See on the dashboard attendance charged with no authorization in force where the payer requires one",
    CLINICAL_ROLES | {RoleCode.BILLING_SPECIALIST},
)
