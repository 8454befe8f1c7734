# SPDX-License-Identifier: AGPL-3.0-or-later
"""What admissions tells the apps beside it, without importing them.

``inquiry_admitted`` is sent inside the admitting transaction with
``inquiry`` (its ``patient`` set) and ``actor``; insurance carries the
inquiry's insurer and member ID over to the chart's coverage.
"""

from django.dispatch import Signal

inquiry_admitted = Signal()
