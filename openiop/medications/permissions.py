# SPDX-License-Identifier: AGPL-3.0-or-later
"""Medication and drug-test actions and who holds them by default.

- medications.view / drugtests.view: the clinical team (clinical director,
  clinicians, nurses, prescribers). Drug-test results and medications are
  substance-use treatment records (42 CFR Part 2): billing, the front desk,
  admissions navigators and administrators do not read them by default.
- medications.manage: prescribers and nurses add, change and stop
  medications, and mark an entry entered in error.
- medications.adherence: anyone on the clinical team notes adherence.
- drugtests.record: nurses and clinicians record specimens and results.
- drugtests.correct: nurses, clinicians and the clinical director correct a
  result recorded wrongly (a new version; the original stays).
- drugtests.review: clinicians and the clinical director confirm or dismiss
  an unexpected positive and set the sobriety date.

The matrix is data: a program can change any of this.
"""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

MEDICATIONS_VIEW = declare("medications.view", "See patients' medications at one's sites", CLINICAL_ROLES)
MEDICATIONS_MANAGE = declare(
    "medications.manage",
    "Add, change and stop medications, including MOUD/MAUD; mark entries entered in error",
    {RoleCode.PRESCRIBER, RoleCode.NURSE},
)
MEDICATIONS_ADHERENCE = declare("medications.adherence", "Write medication adherence notes", CLINICAL_ROLES)
DRUGTESTS_VIEW = declare("drugtests.view", "See drug-test results and the sobriety date", CLINICAL_ROLES)
DRUGTESTS_RECORD = declare(
    "drugtests.record", "Record specimens and drug-test results", {RoleCode.NURSE, RoleCode.CLINICIAN}
)
DRUGTESTS_CORRECT = declare(
    "drugtests.correct",
    "Correct a drug-test result recorded wrongly (the original is kept)",
    {RoleCode.NURSE, RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR},
)
DRUGTESTS_REVIEW = declare(
    "drugtests.review",
    "Confirm or dismiss unexpected drug-test results and set the sobriety date",
    {RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR},
)
