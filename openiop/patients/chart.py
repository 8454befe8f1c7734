# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tabs of the patient chart, and panels on its overview, that other apps
contribute.

The patients app owns the chart page and its first tabs (overview, episodes,
contacts). Later apps (assessments, treatment plans, notes, medications, drug
tests, schedules) register a tab from their AppConfig.ready(); a tab shows
only to users whose roles grant its action, and its context function loads
its own data through the access path (``restrict``) like any other page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient

TabContext = Callable[["HttpRequest", "Patient"], dict[str, Any]]


@dataclass(frozen=True)
class ChartTab:
    key: str
    label: Any
    action: str
    template: str
    context: TabContext
    order: int = 100


BUILT_IN_TABS = ("overview", "episodes", "contacts")
CHART_TABS: list[ChartTab] = []


def register_tab(tab: ChartTab) -> None:
    if tab.key in BUILT_IN_TABS:
        raise ValueError(f"chart tab {tab.key!r} is built in")
    if all(existing.key != tab.key for existing in CHART_TABS):
        CHART_TABS.append(tab)
        CHART_TABS.sort(key=lambda entry: entry.order)


def tabs_for(actions: frozenset[str] | set[str]) -> list[ChartTab]:
    return [tab for tab in CHART_TABS if tab.action in actions]


# --- Panels on the overview tab ---------------------------------------------------------------------------------------

PanelContext = Callable[["HttpRequest", "Patient"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class OverviewPanel:
    """A block on the chart's overview tab (allergies, a safety plan due for
    review), registered by any app from its AppConfig.ready(). It shows only
    to users whose roles grant ``action``; ``context`` loads its own data
    through the access path and returns None when there is nothing to show."""

    key: str
    action: str
    template: str
    context: PanelContext
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


OVERVIEW_PANELS: list[OverviewPanel] = []


def register_overview_panel(panel: OverviewPanel) -> None:
    if all(existing.key != panel.key for existing in OVERVIEW_PANELS):
        OVERVIEW_PANELS.append(panel)
        OVERVIEW_PANELS.sort(key=lambda entry: entry.order)


def overview_panels(request: HttpRequest, patient: Patient, actions: frozenset[str] | set[str]) -> list[RenderedPanel]:
    rendered = []
    for panel in OVERVIEW_PANELS:
        if panel.action not in actions:
            continue
        context = panel.context(request, patient)
        if context is not None:
            rendered.append(RenderedPanel(key=panel.key, template=panel.template, context=context))
    return rendered
