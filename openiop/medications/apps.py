# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "openiop.medications"
    label = "medications"
    verbose_name = "Medications and drug testing"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.core.access import register_scope
        from openiop.core.navigation import DashboardSection, register_dashboard_section
        from openiop.medications import models, panels, selectors
        from openiop.medications.permissions import DRUGTESTS_VIEW, MEDICATIONS_VIEW
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import need_to_know, through_patient_at_users_sites

        for model, patient, author in (
            (models.Medication, "patient", "created_by"),
            (models.AdherenceNote, "medication__patient", "author"),
            (models.Specimen, "patient", "recorded_by"),
            (models.TestResult, "specimen__patient", "recorded_by"),
            (models.SobrietyDate, "patient", "set_by"),
            (models.DrugTestReview, "patient", ""),
        ):
            register_scope(model, through_patient_at_users_sites(patient))
            # Medications and drug tests are clinical content: the care team's.
            register_scope(model, need_to_know(patient, own=author))

        register_tab(
            ChartTab(
                "medications",
                _("Medications"),
                MEDICATIONS_VIEW,
                "medications/tab_medications.html",
                panels.medications_tab,
                order=60,
            )
        )
        register_tab(
            ChartTab(
                "drug-tests",
                _("Drug tests"),
                DRUGTESTS_VIEW,
                "medications/tab_drug_tests.html",
                panels.drug_tests_tab,
                order=61,
            )
        )
        register_dashboard_section(
            DashboardSection(
                "drug-test-reviews",
                DRUGTESTS_VIEW,
                "medications/dashboard_reviews.html",
                selectors.pending_reviews_section,
                order=30,
            )
        )
        from openiop.medications import banner
        from openiop.patients.chart import BannerItem, register_banner_item

        register_banner_item(
            BannerItem("sobriety", DRUGTESTS_VIEW, banner.sobriety_item, 20, "medications/_banner_sobriety.html")
        )
