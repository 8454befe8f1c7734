# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions actions and who holds them by default.

- view: the people who work inquiries or take them over once admitted
  (navigators, clinical directors, clinicians), the front desk (they answer the
  phone and need to see whether a caller already has an open inquiry) and
  billing (the benefits-check stage is theirs as much as the navigator's).
- create: log a new inquiry and correct its intake details while it is open
  (a caller rings back with a new number, the insurance card arrives).
  Navigators, clinical directors and the front desk, who take the calls.
- manage: move inquiries along the pipeline (including admit, which registers
  a patient), close and refer. Navigators and clinical directors only.
- referral sources: add, rename, deactivate (and delete when no inquiry uses
  them) the organization-wide list of referrers. Navigators and clinical
  directors, who build those relationships.

Administrators run accounts and sites and get no admissions data by default;
the matrix is data, so a program can grant more.
"""

from openiop.core.roles import RoleCode, declare

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
    "Log a new inquiry and correct the intake details of an open one",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR, RoleCode.FRONT_DESK},
)
ADMISSIONS_MANAGE = declare(
    "admissions.manage",
    "Move inquiries through the pipeline: pre-screen, benefits, assessment, admit, refer, close",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR},
)
ADMISSIONS_SOURCES = declare(
    "admissions.referral_sources",
    "Add, rename and deactivate referral sources",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR},
)
# Clinical roles and navigators read the self-check result a person shared
# (and acknowledge a shared risk); billing and the front desk see only that a
# risk was shared. Nurses and prescribers do not work inquiries
# (no admissions.view), so the grant would open nothing for them.
ADMISSIONS_SELFCHECK = declare(
    "admissions.selfcheck",
    "See the self-check result shared with a website request and acknowledge a shared risk with a note",
    {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
