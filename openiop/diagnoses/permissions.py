# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who reads and who writes the problem list.

Reading: everyone who treats the patient (the clinical roles) needs the
diagnoses in front of them, and the billing specialist puts them on claims
(a charge is held without one). The administrator, the front desk and the
navigator do not: a diagnosis is clinical information they have no need for.

Writing: diagnosing is within the scope of practice of the licensed
clinicians (the counsellor or therapist, the clinical director, the
prescriber). Nurses record diagnoses too in most programs (transcribing the
admitting diagnosis, a co-occurring condition found at a nursing
assessment), and every entry names who made it, so they may add and edit.
The billing specialist reads only: a biller who changes a diagnosis to get a
claim paid is the fraud this separation prevents.
"""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

DIAGNOSES_VIEW = declare(
    "diagnoses.view", "See patients' diagnoses (problem list)", CLINICAL_ROLES | {RoleCode.BILLING_SPECIALIST}
)
DIAGNOSES_EDIT = declare(
    "diagnoses.edit",
    "Add, edit, resolve and mark diagnoses primary or entered in error",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.PRESCRIBER, RoleCode.NURSE},
)
