# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every chart tab is defined in its app's panels.py (issue 15 item 3): one
place to look for what a tab shows and which read it logs."""

from __future__ import annotations

from openiop.patients.chart import CHART_TABS


def test_every_chart_tab_context_lives_in_its_apps_panels_module() -> None:
    assert CHART_TABS, "the apps register their tabs from ready()"
    misplaced = {
        tab.key: tab.context.__module__
        for tab in CHART_TABS
        if not tab.context.__module__.startswith("openiop.") or not tab.context.__module__.endswith(".panels")
    }
    assert misplaced == {}
