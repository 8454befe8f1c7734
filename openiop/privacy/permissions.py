# SPDX-License-Identifier: AGPL-3.0-or-later
"""Privacy (42 CFR Part 2) actions and who holds them by default.

- consents.view: who needs to know whether a record may be shared: the
  clinical team, admissions navigators (consents are signed at intake),
  billing (claims go out under the TPO consent) and the privacy officer.
- consents.record / consents.revoke: whoever takes the signed form or the
  written revocation: admissions navigators, clinicians, the clinical
  director, the front desk and the privacy officer.
- restrictions.record: anyone who may record consents takes a request.
- restrictions.decide: the privacy officer and the clinical director.
- privacy.accounting: the accounting of disclosures and the access report
  (who read or changed a patient's record): the privacy officer.
- privacy.oversee: the privacy officer's dashboard (pending requests,
  disclosures, revocations, break-the-glass events) and reviews.
- disclosures.record: whoever sends records out (the clinical team,
  billing, the privacy officer) records the disclosure through the gate,
  which refuses what no consent or exception covers.
- privacy.break_glass: clinical staff may open a record they cannot reach,
  for a medical emergency, for a few hours, with a reason.

The matrix is data: a program can change any of this.
"""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

RECORDERS: set[str] = {
    RoleCode.ADMISSIONS_NAVIGATOR,
    RoleCode.CLINICIAN,
    RoleCode.CLINICAL_DIRECTOR,
    RoleCode.FRONT_DESK,
    RoleCode.PRIVACY_OFFICER,
}

CONSENTS_VIEW = declare(
    "consents.view",
    "See patients' Part 2 consents, restrictions and disclosures",
    CLINICAL_ROLES | {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.BILLING_SPECIALIST, RoleCode.PRIVACY_OFFICER},
)
CONSENTS_RECORD = declare("consents.record", "Record a patient's signed Part 2 consent", RECORDERS)
CONSENTS_REVOKE = declare("consents.revoke", "Record a written revocation of a consent", RECORDERS)
RESTRICTIONS_RECORD = declare("restrictions.record", "Record a patient's request to restrict disclosures", RECORDERS)
RESTRICTIONS_DECIDE = declare(
    "restrictions.decide",
    "Grant or deny a request to restrict disclosures",
    {RoleCode.PRIVACY_OFFICER, RoleCode.CLINICAL_DIRECTOR},
)
PRIVACY_ACCOUNTING = declare(
    "privacy.accounting",
    "Prepare accountings of disclosures and access reports for a patient",
    {RoleCode.PRIVACY_OFFICER},
)
PRIVACY_OVERSEE = declare(
    "privacy.oversee",
    "See the privacy dashboard and review break-the-glass access",
    {RoleCode.PRIVACY_OFFICER},
)
BREAK_GLASS = declare(
    "privacy.break_glass",
    "Open, in an emergency, the record of a patient one cannot otherwise reach (time-limited, reviewed)",
    CLINICAL_ROLES,
)
DISCLOSURES_RECORD = declare(
    "disclosures.record",
    "Record a disclosure of Part 2 records (checked against the patient's consents and restrictions)",
    CLINICAL_ROLES | {RoleCode.BILLING_SPECIALIST, RoleCode.PRIVACY_OFFICER},
)
PRIVACY_FLAGS = declare(
    "privacy.flags",
    "See on the dashboard the patients in treatment without the privacy notice or an active TPO consent",
    {RoleCode.PRIVACY_OFFICER, RoleCode.CLINICAL_DIRECTOR},
)
