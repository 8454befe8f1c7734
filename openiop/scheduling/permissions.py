# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.core.roles import CLINICAL_ROLES, RoleCode, declare

SCHEDULING_VIEW = declare(
    "scheduling.view",
    "See calendars, sessions, patient schedules and the hours dashboard at one's sites",
    CLINICAL_ROLES | {RoleCode.FRONT_DESK, RoleCode.ADMINISTRATOR},
)
SCHEDULING_MANAGE = declare(
    "scheduling.manage",
    "Create sessions and appointments, enroll patients, cancel and reschedule, set availability",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.FRONT_DESK},
)
ATTENDANCE_RECORD = declare(
    "attendance.record",
    "Record attendance for group sessions and appointments",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.NURSE, RoleCode.FRONT_DESK},
)
SCHEDULING_OPTIMIZE = declare(
    "scheduling.optimize",
    "Build next week with the optimizer, review and publish it",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.ADMINISTRATOR},
)
TRACKS_SWITCH = declare(
    "scheduling.tracks",
    "Switch a site's program tracks (morning, evening, weekend) on or off",
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.ADMINISTRATOR},
)
