# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

from openiop.core.testing import Page
from openiop.directory.permissions import DIRECTORY_IMPORT

PAGES: list[Page] = [Page("directory:import", DIRECTORY_IMPORT, form=True)]

# The locator is for the public: no sign-in, no action.
PUBLIC_NAMES = {"directory:search", "directory:facility"}
