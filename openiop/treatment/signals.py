# SPDX-License-Identifier: AGPL-3.0-or-later
"""What treatment tells the apps above it, without importing them.

``note_signed`` (kwargs ``note``) is sent inside the signing transaction for
each note signed, group sections included; ``note_corrected`` (kwargs
``note``) when a signed note is amended by an addendum. Billing follows both
(documentation first: a day's charge is released once its notes are signed).
"""

from django.dispatch import Signal

note_signed = Signal()
note_corrected = Signal()
