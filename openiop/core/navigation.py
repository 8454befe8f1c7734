# SPDX-License-Identifier: AGPL-3.0-or-later
"""Navigation and dashboard panels, filtered by the permission matrix.

Apps add entries here as they arrive; an entry shows only when the user's
roles grant its action, so the menu is never a list of doors that say 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openiop.core.access import allowed_actions


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    action: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Dashboard"), "core:dashboard", "dashboard.view"),
    NavItem(_("Patients"), "patients:list", "patients.view"),
    NavItem(_("Admissions"), "admissions:board", "admissions.view"),
    NavItem(_("Sites"), "sites:list", "sites.view"),
    NavItem(_("Staff"), "sites:staff", "staff.view"),
    NavItem(_("Permissions"), "accounts:permission_matrix", "permissions.view"),
    NavItem(_("Audit log"), "audit:events", "audit.view"),
]


def register_nav(item: NavItem, *, before: str | None = None) -> None:
    """Add an app's menu entry (from its AppConfig.ready), optionally before
    another entry's url_name; registering the same url_name twice is a no-op."""
    if any(existing.url_name == item.url_name for existing in NAV_ITEMS):
        return
    names = [existing.url_name for existing in NAV_ITEMS]
    NAV_ITEMS.insert(names.index(before) if before in names else len(NAV_ITEMS), item)


@dataclass(frozen=True)
class DashboardSection:
    """A block on top of the dashboard, e.g. unacknowledged safety alerts.

    ``context(request)`` returns the template context, or None when there is
    nothing to show; sections appear only to users whose roles grant ``action``.
    """

    key: str
    action: str
    template: str
    context: Any  # Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


DASHBOARD_SECTIONS: list[DashboardSection] = []


def register_dashboard_section(section: DashboardSection) -> None:
    if all(existing.key != section.key for existing in DASHBOARD_SECTIONS):
        DASHBOARD_SECTIONS.append(section)
        DASHBOARD_SECTIONS.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


def dashboard_sections(request: Any) -> list[RenderedSection]:
    actions = allowed_actions(request.user)
    rendered = []
    for section in DASHBOARD_SECTIONS:
        if section.action not in actions:
            continue
        context = section.context(request)
        if context is not None:
            rendered.append(RenderedSection(key=section.key, template=section.template, context=context))
    return rendered


def nav_items(user: Any) -> list[NavItem]:
    actions = allowed_actions(user)
    return [item for item in NAV_ITEMS if item.action in actions]


# How many rows a dashboard section lists before it links to the rest.
DASHBOARD_ROWS = 10


@dataclass(frozen=True)
class MoreLink:
    """A section that lists rows FIRST to LAST of TOTAL: the dashboard adds,
    under it, the link to the rest (URL: a page with the full list, or the
    dashboard's next page of this section) and, when paging, to the page before."""

    first: int
    last: int
    total: int
    url: str = ""
    previous_url: str = ""
    paged: bool = False  # True: URL is this section's next page on the dashboard


def more_link(shown: int, total: int, url: str) -> MoreLink | None:
    """A section context's ``more`` entry pointing at the page with the full
    list: None when nothing is left out."""
    return MoreLink(first=1, last=shown, total=total, url=url) if total > shown else None


MAX_SECTION_PAGE = 10_000


def section_page(request: Any, key: str) -> int:
    """The page of section KEY the dashboard was asked for (``?KEY-page=N``);
    anything but a positive number is the first page."""
    raw = str(request.GET.get(f"{key}-page", ""))
    return min(int(raw), MAX_SECTION_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def section_pages(request: Any, key: str, page: int, shown: int, total: int, *, per_page: int) -> MoreLink | None:
    """A section context's ``more`` entry for a list paged on the dashboard
    itself (no other page lists it): the links to the next and previous page,
    the rest of the query string kept. None when everything fits on one page."""
    if total <= per_page and page == 1:
        return None

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query[f"{key}-page"] = str(number)
        return f"?{query.urlencode()}#section-{key}"

    first = (page - 1) * per_page + 1
    return MoreLink(
        first=min(first, total),
        last=min(first + shown - 1, total),
        total=total,
        url=page_url(page + 1) if first + shown - 1 < total else "",
        previous_url=page_url(page - 1) if page > 1 else "",
        paged=True,
    )


@dataclass(frozen=True)
class SiteZone:
    name: str
    zone: str  # the IANA name, e.g. America/Chicago
    abbreviation: str  # as the site's clocks read now, e.g. CST


@dataclass(frozen=True)
class DashboardSites:
    """The sites the dashboard is about, named at its top: the first few by
    name and how many there are, and whether more than one time zone is on
    the page (then every time shown carries its zone's abbreviation)."""

    shown: list[SiteZone]
    total: int
    zones: list[str]

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)

    @property
    def many_zones(self) -> bool:
        return len(self.zones) > 1


SITES_NAMED = 5


def zone_abbreviation(zone: str, at: Any = None) -> str:
    """The abbreviation a zone's clocks read at AT (now by default): EST or EDT."""
    import zoneinfo

    from django.utils import timezone

    return timezone.localtime(at or timezone.now(), zoneinfo.ZoneInfo(zone)).strftime("%Z")


def dashboard_sites(user: Any) -> DashboardSites:
    """The user's sites (one query: their names and zones)."""
    rows = list(user.sites.order_by("name").values_list("name", "time_zone"))
    zones = sorted({zone for _name, zone in rows})
    shown = [SiteZone(name, zone, zone_abbreviation(zone)) for name, zone in rows[:SITES_NAMED]]
    return DashboardSites(shown=shown, total=len(rows), zones=zones)
