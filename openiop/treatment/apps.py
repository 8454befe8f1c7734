# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentConfig(AppConfig):
    name = "openiop.treatment"
    label = "treatment"
    verbose_name = "Treatment plans and clinical notes"

    def ready(self) -> None:
        from openiop.accounts.access import by_site, everything, register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.treatment import models, panels
        from openiop.treatment.permissions import PLAN_WRITE, TREATMENT_COSIGN, TREATMENT_VIEW

        register_scope(models.TreatmentPlan, by_site("episode__site"))
        register_scope(models.PlanVersion, by_site("plan__episode__site"))
        for item in (models.Problem, models.Goal, models.Objective, models.Intervention):
            register_scope(item, by_site("version__plan__episode__site"))
        register_scope(models.Note, by_site("episode__site"))
        register_scope(models.NoteObjective, by_site("note__episode__site"))
        register_scope(models.NoteAttendee, by_site("note__episode__site"))
        register_scope(models.Addendum, by_site("note__episode__site"))
        register_scope(models.Homework, by_site("episode__site"))
        register_scope(models.GroupSession, by_site("site"))
        # Program-wide rule data (hours per level of care), not patient data.
        register_scope(models.HoursBand, everything)

        register_tab(
            ChartTab("plan", _("Treatment plan"), TREATMENT_VIEW, "treatment/tab_plan.html", panels.plan_tab, 30)
        )
        register_tab(ChartTab("notes", _("Notes"), TREATMENT_VIEW, "treatment/tab_notes.html", panels.notes_tab, 31))
        register_nav(NavItem(_("Group notes"), "treatment:group_list", TREATMENT_VIEW), before="sites:list")
        register_dashboard_section(
            DashboardSection("treatment_plans_due", PLAN_WRITE, "treatment/dash_plans_due.html", panels.plans_due, 20)
        )
        register_dashboard_section(
            DashboardSection("treatment_cosign", TREATMENT_COSIGN, "treatment/dash_cosign.html", panels.cosign, 21)
        )
