# SPDX-License-Identifier: AGPL-3.0-or-later
"""OpenIOP: software for intensive outpatient programs for substance use disorders."""
