# SPDX-License-Identifier: AGPL-3.0-or-later
"""What scheduling tells the apps above it, without importing them.

``attendance_saved`` is sent inside the saving transaction, after attendance
for a session or an appointment was recorded or corrected, with
``attendances`` (the saved ``Attendance`` rows) and ``actor``. Receivers
(billing's charges and authorization draw-down) run in the same transaction,
so a failure in them saves nothing.
"""

from django.dispatch import Signal

attendance_saved = Signal()
