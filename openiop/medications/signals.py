# SPDX-License-Identifier: AGPL-3.0-or-later
"""What medications tells the apps above it, without importing them.

``drug_test_saved`` (kwargs ``specimen``) is sent inside the writing
transaction after results are recorded for a specimen; billing charges one
presumptive drug test per date of service from it.
"""

from django.dispatch import Signal

drug_test_saved = Signal()
