# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.accounts.roles import CLINICAL_ROLES, RoleCode, declare

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
