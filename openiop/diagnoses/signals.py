# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the diagnoses app tells the apps above it, without importing them.

``diagnoses_changed`` (kwargs ``patient_id``) is sent after every write to a
patient's problem list (added, edited, resolved or ruled out, marked primary,
entered in error), inside the writing transaction, so a receiver's own
writes (billing re-checking held charges) commit or roll back with it.
"""

from django.dispatch import Signal

diagnoses_changed = Signal()
