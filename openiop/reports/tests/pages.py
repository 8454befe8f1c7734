# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue reports' rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

from typing import Any

from openiop.core.testing import Objects, Page
from openiop.reports.permissions import REPORTS_VIEW


def _aging_csv(objects: Objects) -> dict[str, Any]:
    return {"report": "aging"}


PAGES: list[Page] = [
    Page("reports:index", REPORTS_VIEW),
    # A report is not one site's object: each user's export sums only the
    # sites they work at, so another site's staff reaching it is by design.
    Page("reports:export", REPORTS_VIEW, _aging_csv, organization_wide=True),
]
