# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

_CHART_READERS = CLINICAL_ROLES | {RoleCode.ADMINISTRATOR}

# Admissions navigators register and edit demographics, so they read them too
# (without it a navigator's new registration ends on a 403 chart).
PATIENT_VIEW = declare(
    "patients.view",
    "See patient charts at one's sites",
    _CHART_READERS | {RoleCode.FRONT_DESK, RoleCode.BILLING_SPECIALIST, RoleCode.ADMISSIONS_NAVIGATOR},
)
PATIENT_EDIT = declare(
    "patients.edit",
    "Register patients and change demographics and contacts",
    {
        RoleCode.CLINICAL_DIRECTOR,
        RoleCode.CLINICIAN,
        RoleCode.NURSE,
        RoleCode.ADMISSIONS_NAVIGATOR,
        RoleCode.FRONT_DESK,
    },
)
EPISODE_MANAGE = declare(
    "episodes.manage",
    "Admit, change level of care, assign care teams and discharge",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN},
)
# Allergies are clinical, but whoever reads the chart for care needs them.
ALLERGY_VIEW = declare("allergies.view", "See patients' allergies", _CHART_READERS)
ALLERGY_RECORD = declare(
    "allergies.record", "Record allergies or no known allergies, and mark entries entered in error", CLINICAL_ROLES
)
# Need to know (Organization.need_to_know): who reaches every patient's
# clinical record at their sites without being on the care team. Declared
# here, with the patient-scope rule that asks it (openiop.patients.scopes);
# its code keeps the name it was granted under.
WHOLE_SITE = declare(
    "treatment.whole_site",
    "Read the clinical record of every patient at one's sites, care team or not (when need to know is on)",
    {RoleCode.CLINICAL_DIRECTOR},
)
