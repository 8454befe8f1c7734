# SPDX-License-Identifier: AGPL-3.0-or-later
"""Treatment plans and clinical notes. Billing and front-desk staff do not
read clinical notes (minimum necessary, HIPAA and 42 CFR Part 2)."""

from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

TREATMENT_VIEW = declare("treatment.view", "Read treatment plans and clinical notes at one's sites", CLINICAL_ROLES)
PLAN_WRITE = declare(
    "treatment.plan_write",
    "Write and revise treatment plans",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
NOTE_WRITE = declare(
    "treatment.write",
    "Write clinical notes (which kinds: see the two actions below), addenda and homework",
    CLINICAL_ROLES,
)
COUNSELLING_NOTES = declare(
    "treatment.counselling_notes",
    "Write individual, family, group and case-management notes",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
MEDICATION_NOTES = declare(
    "treatment.medication_notes",
    "Write medication-management notes",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.NURSE, RoleCode.PRESCRIBER},
)
TREATMENT_SIGN = declare("treatment.sign", "Sign one's own notes and treatment plans", CLINICAL_ROLES)
TREATMENT_COSIGN = declare(
    "treatment.cosign", "Co-sign notes and plans of staff who need supervision", {RoleCode.CLINICAL_DIRECTOR}
)
# SUD counseling notes (42 CFR 2.11): kept apart from the record, read only by
# their author and the author's clinical supervisor.
SUD_NOTES_WRITE = declare(
    "treatment.sud_notes_write",
    "Write and read one's own SUD counseling notes (kept apart from the record)",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
SUD_NOTES_SUPERVISE = declare(
    "treatment.sud_notes_supervise",
    "Read the SUD counseling notes of the staff one clinically supervises",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
LIBRARY_EDIT = declare(
    "treatment.library_edit",
    "Edit the plan library (common problems, goals, objectives and interventions to pick from)",
    {RoleCode.CLINICAL_DIRECTOR},
)
