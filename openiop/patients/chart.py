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


# --- Items in the patient banner --------------------------------------------------------------------------------------

BannerContext = Callable[["HttpRequest", "Patient"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class BannerItem:
    """One fact in the banner at the top of every chart page (safety alerts,
    sobriety date, primary diagnosis, payer, Part 2 status), registered by the
    app that owns it from its AppConfig.ready(), so that patients imports none
    of them. It shows only to users whose roles grant ``action``.

    ``context`` must cost a bounded number of queries (never one per row: the
    banner is on every chart page) and logs no read of its own, since the page
    showing the banner has logged reading the patient. It returns None when
    there is nothing to show. The item renders ``template`` with the context as
    ``item``, or else ``label`` followed by the context's ``value``."""

    key: str
    action: str
    context: BannerContext
    order: int = 100
    template: str = ""
    label: Any = ""


@dataclass(frozen=True)
class RenderedBannerItem:
    key: str
    template: str
    label: Any
    context: dict[str, Any]


BANNER_ITEMS: list[BannerItem] = []


def register_banner_item(item: BannerItem) -> None:
    if not item.template and not item.label:
        raise ValueError(f"banner item {item.key!r} needs a template or a label")
    if all(existing.key != item.key for existing in BANNER_ITEMS):
        BANNER_ITEMS.append(item)
        BANNER_ITEMS.sort(key=lambda entry: entry.order)


def banner_items(
    request: HttpRequest, patient: Patient, actions: frozenset[str] | set[str]
) -> list[RenderedBannerItem]:
    rendered = []
    for item in BANNER_ITEMS:
        if item.action not in actions:
            continue
        context = item.context(request, patient)
        if context is not None:
            rendered.append(RenderedBannerItem(key=item.key, template=item.template, label=item.label, context=context))
    return rendered


# --- Tabs on one line -------------------------------------------------------------------------------------------------

# What fits one line of the chart's tab bar at 1366 px (the content column is
# about 1200 px wide): label characters plus a gap allowance per tab, measured
# with the stylesheet's tab font. The browser test at 1366x768 holds it to that.
TAB_LINE_BUDGET = 135
TAB_GAP_CHARACTERS = 4
MORE_TAB_CHARACTERS = 8


@dataclass(frozen=True)
class TabLink:
    key: str
    label: Any


def split_tabs(tabs: list[TabLink], budget: int = TAB_LINE_BUDGET) -> tuple[list[TabLink], list[TabLink]]:
    """Tabs shown on the line, and those that go into the "More" menu. Tabs
    keep their order; once one overflows, every later one does too."""
    total = sum(len(str(tab.label)) + TAB_GAP_CHARACTERS for tab in tabs)
    if total <= budget:
        return list(tabs), []
    room = budget - MORE_TAB_CHARACTERS
    used = 0
    for index, tab in enumerate(tabs):
        used += len(str(tab.label)) + TAB_GAP_CHARACTERS
        if used > room:
            return list(tabs[:index]), list(tabs[index:])
    return list(tabs), []
