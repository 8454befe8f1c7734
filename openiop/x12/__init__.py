# SPDX-License-Identifier: AGPL-3.0-or-later
"""X12 5010 files, pure Python: builders for what we send (270, 837I, 837P) and
readers for what comes back (271, 835, 999, 277CA). No Django, no database."""
