# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.assessments import safety_plan_views, views

app_name = "assessments"

urlpatterns = [
    path("patient/<int:patient_pk>/instrument/<str:code>/", views.administer, name="administer"),
    path("result/<int:pk>/", views.result_detail, name="result"),
    path("result/<int:pk>/entered-in-error/", views.result_entered_in_error, name="result_error"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alert/<int:pk>/", views.alert_detail, name="alert"),
    path("alert/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("patient/<int:patient_pk>/safety-concern/", views.safety_concern, name="safety_concern"),
    path("patient/<int:patient_pk>/placement/", views.placement_new, name="placement_new"),
    path("placement/<int:pk>/", views.placement_detail, name="placement"),
    path("placement/<int:pk>/decide/", views.placement_decide, name="placement_decide"),
    path("placement/<int:pk>/apply/", views.placement_apply, name="placement_apply"),
    path("patient/<int:patient_pk>/withdrawal/", views.flowsheet, name="flowsheet"),
    path("patient/<int:patient_pk>/withdrawal/record/", views.withdrawal_record, name="withdrawal_record"),
    path("patient/<int:patient_pk>/safety-plan/", safety_plan_views.safety_plan_detail, name="safety_plan"),
    path("patient/<int:patient_pk>/safety-plan/edit/", safety_plan_views.safety_plan_edit, name="safety_plan_edit"),
    path("patient/<int:patient_pk>/safety-plan/print/", safety_plan_views.safety_plan_print, name="safety_plan_print"),
    path(
        "patient/<int:patient_pk>/safety-plan/review/", safety_plan_views.safety_plan_review, name="safety_plan_review"
    ),
]
