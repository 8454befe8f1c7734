# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentConfig(AppConfig):
    name = "openiop.treatment"
    label = "treatment"
    verbose_name = "Treatment plans and clinical notes"

    def ready(self) -> None:
        from openiop.core.access import by_site, everything, register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import need_to_know, site_or_extra_reach
        from openiop.treatment import models, panels
        from openiop.treatment.permissions import PLAN_WRITE, TREATMENT_COSIGN, TREATMENT_VIEW
        from openiop.treatment.selectors import counseling_note_scope

        # Clinical content: at the user's sites (or opened with emergency
        # access), and with need to know on, the care team's patients only.
        # "At the user's sites" here is the episode's site, not the patient
        # rule (patients.scopes.at_users_sites: home site or any episode's
        # site) that instruments, consents and medications use: a plan or a
        # note belongs to one episode of care, kept by the staff of the site
        # that runs it. A patient treated at two sites has a record at each,
        # and staff at one do not read the other's plans and notes unless
        # they open it with emergency access.
        plan_item = ("version__plan__episode__site", "version__plan__episode__patient", "")
        clinical = (  # (model, site lookup, patient lookup, author lookup)
            (models.TreatmentPlan, "episode__site", "episode__patient", ""),
            (models.PlanVersion, "plan__episode__site", "plan__episode__patient", ""),
            *((item, *plan_item) for item in (models.Problem, models.Goal, models.Objective, models.Intervention)),
            (models.Note, "episode__site", "patient", "author"),
            (models.NoteObjective, "note__episode__site", "note__patient", "note__author"),
            (models.NoteAttendee, "note__episode__site", "note__patient", "note__author"),
            (models.Addendum, "note__episode__site", "note__patient", "note__author"),
            (models.Homework, "episode__site", "patient", "created_by"),
        )
        for model, site, patient, own in clinical:
            register_scope(model, site_or_extra_reach(site, patient))
            register_scope(model, need_to_know(patient, own=own))
        # SUD counseling notes: their author and the author's supervisor only.
        register_scope(models.CounselingNote, by_site("episode__site"))
        register_scope(models.CounselingNote, counseling_note_scope)
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
