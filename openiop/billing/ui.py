# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's scopes, navigation and dashboard sections (see ``register``)."""

from __future__ import annotations


def register() -> None:
    """Register billing's scopes, navigation entries and dashboard sections."""
    from django.utils.translation import gettext_lazy as _

    from openiop.billing import panels, selectors
    from openiop.billing.permissions import BILLING_MANAGE, BILLING_MISSING_AUTHORIZATION, BILLING_VIEW
    from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav

    register_nav(NavItem(_("Billing"), "billing:workspace", BILLING_VIEW), before="sites:list")
    register_nav(NavItem(_("Fee schedule"), "billing:fees", BILLING_MANAGE), before="sites:list")
    register_dashboard_section(
        DashboardSection("billing-held", BILLING_VIEW, "billing/dash_held.html", selectors.held_section, 25)
    )
    # Attendance with no authorization in force where the payer requires
    # one: money being lost today, on billing's and the clinicians' boards.
    register_dashboard_section(
        DashboardSection(
            "billing-missing-authorization",
            BILLING_MISSING_AUTHORIZATION,
            "billing/dash_missing_authorization.html",
            selectors.missing_authorization_section,
            22,
        )
    )
    from openiop.billing.permissions import BILLING_REVIEW_PACKET
    from openiop.patients.chart import ChartTab, OverviewPanel, register_overview_panel, register_tab

    register_tab(ChartTab("billing", _("Billing"), BILLING_VIEW, "billing/tab_billing.html", panels.chart_tab, 87))
    register_overview_panel(
        OverviewPanel(
            key="billing_review_due",
            action=BILLING_REVIEW_PACKET,
            template="billing/_panel_review_due.html",
            context=panels.review_panel,
            order=30,
        )
    )
    _register_diagnoses_source()


def _register_diagnoses_source() -> None:
    """Any packet that may carry diagnoses (a concurrent review does) lists
    them from the problem list, unless the diagnoses app registered its own
    source first; until the problem list exists, the packet says diagnoses
    are not kept here, as before."""
    from importlib.util import find_spec

    from openiop.billing import packets
    from openiop.privacy import packet_sources
    from openiop.privacy.information import InformationClass

    if InformationClass.DIAGNOSES in packet_sources.SOURCES or find_spec("openiop.diagnoses.selectors") is None:
        return
    packet_sources.register_source(InformationClass.DIAGNOSES, packets.diagnoses_source)
