# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.assistance import views

app_name = "assistance"

PATIENT = "patients/<int:patient_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("funds/", views.fund_list, name="funds"),
    path("funds/new/", views.fund_add, name="fund_add"),
    path(f"{PATIENT}attestation/new/", views.attestation_add, name="attestation_add"),
    path(f"{PATIENT}sliding-fee/apply/", views.sliding_fee_apply, name="sliding_fee_apply"),
    path(f"{PATIENT}plans/new/", views.plan_add, name="plan_add"),
    path(f"{PATIENT}plans/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path(f"{PATIENT}awards/new/", views.award_add, name="award_add"),
    path(f"{PATIENT}awards/<int:pk>/reverse/", views.award_reverse, name="award_reverse"),
]
