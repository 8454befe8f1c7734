# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.medications import views, views_corrections

app_name = "medications"

MEDS = "patients/<int:patient_pk>/medications/"
TESTS = "patients/<int:patient_pk>/drug-tests/"

urlpatterns = [
    path(f"{MEDS}new/", views.medication_add, name="add"),
    path(f"{MEDS}<int:pk>/", views.medication_detail, name="detail"),
    path(f"{MEDS}<int:pk>/stop/", views.medication_stop, name="stop"),
    path(f"{MEDS}<int:pk>/adherence/", views.adherence_add, name="adherence"),
    path(f"{MEDS}<int:pk>/change/", views_corrections.medication_change, name="change"),
    path(f"{MEDS}<int:pk>/entered-in-error/", views_corrections.medication_in_error, name="in_error"),
    path(f"{TESTS}new/", views.specimen_add, name="specimen_add"),
    path(f"{TESTS}trend/", views.trend, name="trend"),
    path(f"{TESTS}<int:pk>/", views.specimen_detail, name="specimen"),
    path(f"{TESTS}<int:pk>/results/", views.results_add, name="results"),
    path(
        f"{TESTS}<int:specimen_pk>/results/<int:pk>/correct/", views_corrections.result_correct, name="result_correct"
    ),
    path(f"{TESTS}reviews/<int:pk>/", views.review, name="review"),
    path(f"{TESTS}reviews/<int:pk>/sobriety-date/", views_corrections.sobriety_restore, name="sobriety_restore"),
    path("patients/<int:patient_pk>/sobriety-date/", views.sobriety_date_set, name="sobriety"),
]
