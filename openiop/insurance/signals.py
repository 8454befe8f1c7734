# SPDX-License-Identifier: AGPL-3.0-or-later
"""What insurance tells the apps above it, without importing them.

``coverage_changed`` (kwargs ``patient_id``) is sent after every write to a
patient's coverage (created, edited, card attached, benefits copied from a
check); ``authorization_changed`` (kwargs ``patient_id``, ``authorization``)
after every write to an authorization. Both are sent inside the writing
transaction, so a receiver's own writes commit or roll back with it.
"""

from django.dispatch import Signal

coverage_changed = Signal()
authorization_changed = Signal()
