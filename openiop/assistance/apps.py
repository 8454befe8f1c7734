# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import Q, QuerySet


def funds_at_users_sites(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    """Funds for one of the user's sites, or for every site of an
    organization the user works in. Written with a subquery, not a join, so
    the funds page can sum awards per fund without counting any twice."""
    from openiop.sites.models import Site

    sites = user.site_ids()
    organizations = Site.objects.filter(pk__in=sites).values("organization_id")
    return queryset.filter(Q(site_id__in=sites) | Q(site__isnull=True, organization_id__in=organizations))


class AssistanceConfig(AppConfig):
    name = "openiop.assistance"
    label = "assistance"
    verbose_name = "Ways to pay (sliding fee, payment plans, scholarships and grants)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.assistance import jobs, models, panels, selectors
        from openiop.assistance.permissions import ASSISTANCE_VIEW
        from openiop.core.access import register_scope
        from openiop.core.jobs import PeriodicJob, register_periodic
        from openiop.core.navigation import NavItem, register_nav
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import patient_at_users_sites

        for model in (models.IncomeAttestation, models.SlidingFeeDiscount, models.PaymentPlan, models.Award):
            register_scope(model, patient_at_users_sites("patient__"))
        register_scope(models.Fund, funds_at_users_sites)
        register_tab(
            ChartTab(
                "ways_to_pay",
                _("Ways to pay"),
                ASSISTANCE_VIEW,
                "assistance/tab_ways_to_pay.html",
                panels.ways_to_pay_tab,
                89,
            )
        )
        from openiop.ledger.statements import register_statement_note

        register_statement_note(selectors.statement_note)
        register_nav(NavItem(_("Funds"), "assistance:funds", ASSISTANCE_VIEW), before="sites:list")
        # Hourly: missed installments flagged, reminders sent a few days ahead.
        register_periodic(PeriodicJob("assistance-payment-plans", jobs.CHECK_SECONDS, jobs.payment_plans_check))
