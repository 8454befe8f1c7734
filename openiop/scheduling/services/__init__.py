# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for scheduling and attendance, with the rules that need the database.

Every rule refuses with a message staff can act on, and every service runs in
one transaction: bad input saves nothing. The rules:

- no patient, room or facilitator/clinician is booked twice at one time
  (intervals are half-open: a 10:30 end and a 10:30 start do not clash);
- a session or appointment lies inside the site's opening hours, an
  appointment also inside the clinician's availability;
- 1 <= minimum group size <= maximum group size, and the maximum is never
  exceeded, also when two people enrol at once: the session row is locked
  (SELECT ... FOR UPDATE) while seats are counted, and the patient row too,
  so two bookings of one patient cannot both pass the double-booking check;
- cancelling or rescheduling needs a reason; a rescheduled session keeps its
  row, marked rescheduled, linked to the new one.

Locks are always taken in the same order (patient, then room/staff, then
session) so two services never wait on each other.
"""

from openiop.scheduling.services.attendance import AttendanceMark, appointment_attendance_record, attendance_record
from openiop.scheduling.services.availability import (
    clinician_availability_add,
    clinician_availability_remove,
    clinician_availability_update,
    patient_availability_add,
    patient_availability_remove,
    patient_availability_update,
    window_fingerprint,
)
from openiop.scheduling.services.catalogue import (
    DEFAULT_HORIZON_DAYS,
    series_create,
    series_generate,
    session_create,
    track_create,
    track_set_active,
)
from openiop.scheduling.services.common import (
    capacity_problem,
    local_datetime,
    opening_hours_problem,
    patient_conflicts,
    room_conflicts,
    staff_conflicts,
)
from openiop.scheduling.services.feeds import (
    FEED_SALT,
    feed_key_from_signature,
    feed_signature,
    feed_token_create,
    feed_token_for,
    feed_token_revoke,
)
from openiop.scheduling.services.sessions import (
    appointment_cancel,
    appointment_create,
    appointment_reschedule,
    clinician_window_problem,
    enrol,
    enrol_many,
    enrolment_withdraw,
    session_cancel,
    session_reschedule,
)

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "FEED_SALT",
    "AttendanceMark",
    "appointment_attendance_record",
    "appointment_cancel",
    "appointment_create",
    "appointment_reschedule",
    "attendance_record",
    "capacity_problem",
    "clinician_availability_add",
    "clinician_availability_remove",
    "clinician_availability_update",
    "clinician_window_problem",
    "enrol",
    "enrol_many",
    "enrolment_withdraw",
    "feed_key_from_signature",
    "feed_signature",
    "feed_token_create",
    "feed_token_for",
    "feed_token_revoke",
    "local_datetime",
    "opening_hours_problem",
    "patient_availability_add",
    "patient_availability_remove",
    "patient_availability_update",
    "patient_conflicts",
    "room_conflicts",
    "series_create",
    "series_generate",
    "session_cancel",
    "session_create",
    "session_reschedule",
    "staff_conflicts",
    "track_create",
    "track_set_active",
    "window_fingerprint",
]
