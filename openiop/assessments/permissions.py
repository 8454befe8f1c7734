# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

# Scores and placement are clinical information: the clinical team reads them;
# admissions, billing and the front desk do not.
ASSESSMENT_VIEW = declare("assessments.view", "See instrument results, placements and alerts", CLINICAL_ROLES)
ASSESSMENT_ADMINISTER = declare("assessments.administer", "Administer and score instruments", CLINICAL_ROLES)
ALERT_ACKNOWLEDGE = declare(
    "alerts.acknowledge",
    "Acknowledge safety alerts with a note",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.PRESCRIBER, RoleCode.NURSE},
)
ALERT_RAISE = declare("alerts.raise", "Report a safety concern (raises an alert)", CLINICAL_ROLES)
PLACEMENT_DECIDE = declare(
    "placement.decide",
    "Run level-of-care decision support and record the placement decision",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.PRESCRIBER},
)
WITHDRAWAL_RECORD = declare(
    "withdrawal.record",
    "Record withdrawal-monitoring scores and vital signs",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.NURSE, RoleCode.PRESCRIBER},
)
# Safety planning is done with the person by whoever on the clinical team is
# with them when the risk is found; the same people acknowledge safety alerts.
SAFETY_PLAN_WRITE = declare(
    "safety_plans.write",
    "Write safety plans and record reviewing them with the patient",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.PRESCRIBER, RoleCode.NURSE},
)
