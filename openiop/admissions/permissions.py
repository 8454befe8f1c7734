# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions actions and who holds them by default.

- view: the people who work inquiries or take them over once admitted
  (navigators, clinical directors, clinicians), the front desk (they answer the
  phone and need to see whether a caller already has an open inquiry) and
  billing (the benefits-check stage is theirs as much as the navigator's).
- create: log a new inquiry. Navigators, clinical directors and the front desk,
  who take the calls.
- manage: move inquiries along the pipeline (including admit, which registers
  a patient), close and refer. Navigators and clinical directors only.

Administrators run accounts and sites and get no admissions data by default;
the matrix is data, so a program can grant more.
"""

from openiop.accounts.roles import RoleCode, declare

ADMISSIONS_VIEW = declare(
    "admissions.view",
    "See the admissions board, inquiries and the referral report at one's sites",
    {
        RoleCode.ADMISSIONS_NAVIGATOR,
        RoleCode.CLINICAL_DIRECTOR,
        RoleCode.CLINICIAN,
        RoleCode.FRONT_DESK,
        RoleCode.BILLING_SPECIALIST,
    },
)
ADMISSIONS_CREATE = declare(
    "admissions.create",
    "Log a new inquiry",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR, RoleCode.FRONT_DESK},
)
ADMISSIONS_MANAGE = declare(
    "admissions.manage",
    "Move inquiries through the pipeline: pre-screen, benefits, assessment, admit, refer, close",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR},
)
