# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "openiop.patients"
    label = "patients"
    verbose_name = "Patients and episodes of care"

    def ready(self) -> None:
        from openiop.core.access import by_site, register_scope
        from openiop.patients import models
        from openiop.patients.scopes import patient_at_users_sites

        register_scope(models.Patient, patient_at_users_sites(""))
        register_scope(models.EmergencyContact, patient_at_users_sites("patient__"))
        register_scope(models.SupportPerson, patient_at_users_sites("patient__"))
        register_scope(models.Episode, by_site("site"))
        register_scope(models.CareTeamMember, by_site("episode__site"))
        register_scope(models.LevelOfCareChange, by_site("episode__site"))
        register_scope(models.ContinuingCarePlan, by_site("episode__site"))
        register_scope(models.Allergy, patient_at_users_sites("patient__"))

        from openiop.audit.reads import register_listed_model

        register_listed_model(models.Patient, "patients")

        from openiop.patients.allergy_views import overview_panel
        from openiop.patients.chart import OverviewPanel, register_overview_panel
        from openiop.patients.permissions import ALLERGY_VIEW

        register_overview_panel(
            OverviewPanel(
                key="allergies",
                action=ALLERGY_VIEW,
                template="patients/_panel_allergies.html",
                context=overview_panel,
                order=10,
            )
        )
