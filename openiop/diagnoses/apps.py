# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class DiagnosesConfig(AppConfig):
    name = "openiop.diagnoses"
    label = "diagnoses"
    verbose_name = "Diagnoses (ICD-10-CM problem list)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.core.access import register_scope
        from openiop.diagnoses import models, panels
        from openiop.diagnoses.permissions import DIAGNOSES_VIEW
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import patient_at_users_sites

        # By site, like allergies, not by need to know: the billing specialist
        # puts diagnoses on claims without being on any care team.
        register_scope(models.Diagnosis, patient_at_users_sites("patient__"))
        register_tab(
            ChartTab(
                "diagnoses", _("Diagnoses"), DIAGNOSES_VIEW, "diagnoses/tab_diagnoses.html", panels.diagnoses_tab, 20
            )
        )
        from openiop.diagnoses import banner
        from openiop.patients.chart import BannerItem, register_banner_item

        register_banner_item(
            BannerItem(
                "primary_diagnosis", DIAGNOSES_VIEW, banner.primary_diagnosis_item, 30, "diagnoses/_banner_primary.html"
            )
        )
