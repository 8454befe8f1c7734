# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


def _attendance_at_users_sites(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    sites = user.site_ids()
    return queryset.filter(Q(enrolment__session__site__in=sites) | Q(appointment__site__in=sites))


class SchedulingConfig(AppConfig):
    name = "openiop.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling, attendance and hours"

    def ready(self) -> None:
        from openiop.core.access import by_site, register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import patient_at_users_sites
        from openiop.scheduling import models, panels
        from openiop.scheduling.permissions import SCHEDULING_VIEW

        for model in (
            models.Track,
            models.SessionSeries,
            models.Session,
            models.Appointment,
            models.ClinicianAvailability,
            models.FeedToken,
            models.WeekProposal,
        ):
            register_scope(model, by_site("site"))
        register_scope(models.Enrolment, by_site("session__site"))
        register_scope(models.Attendance, _attendance_at_users_sites)
        # A patient's availability follows the patient, like the patient's own row, but without the
        # registered reaches: emergency access opens another site's clinical record for its duration,
        # not its schedule (every other scheduling row is scoped by its own site, which that access
        # does not widen either).
        register_scope(models.PatientAvailability, patient_at_users_sites("patient__", extra_reach=False))

        register_nav(NavItem(_("Schedule"), "scheduling:calendar", SCHEDULING_VIEW), before="sites:list")
        register_nav(NavItem(_("Hours"), "scheduling:hours", SCHEDULING_VIEW), before="sites:list")
        register_tab(
            ChartTab(
                "schedule", _("Schedule"), SCHEDULING_VIEW, "scheduling/tab_schedule.html", panels.schedule_tab, 40
            )
        )
        register_dashboard_section(
            DashboardSection("scheduling_today", SCHEDULING_VIEW, "scheduling/dash_today.html", panels.today, 30)
        )
        # Attendance changed after a group note was signed: say so on the note.
        from openiop.scheduling.group_notes import attendance_notices, roster
        from openiop.treatment.services.groups import register_notice_source, register_roster_source

        register_notice_source(attendance_notices)
        # Everyone enrolled, attending or not, is kept out of others' charts.
        register_roster_source(roster)
