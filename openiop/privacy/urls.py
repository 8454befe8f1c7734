# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.privacy import views, views_documents

app_name = "privacy"

PATIENT = "patients/<int:patient_pk>/"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("emergency-access/<int:pk>/review/", views.emergency_review, name="emergency_review"),
    path(PATIENT, views.patient_privacy, name="patient"),
    path(f"{PATIENT}consents/new/", views.consent_add, name="consent_add"),
    path(f"{PATIENT}consents/<int:pk>/", views.consent_detail, name="consent"),
    path(f"{PATIENT}consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path(f"{PATIENT}consents/<int:pk>/sign/", views_documents.consent_sign, name="consent_sign"),
    path(f"{PATIENT}consents/<int:pk>/document/", views_documents.consent_document, name="consent_document"),
    path(f"{PATIENT}notice/", views_documents.notice_give, name="notice"),
    path(f"{PATIENT}releases/new/", views_documents.release_add, name="release_add"),
    path(f"{PATIENT}releases/<int:pk>/", views_documents.release_detail, name="release"),
    path(f"{PATIENT}releases/<int:pk>/packet/", views_documents.release_packet, name="release_packet"),
    path(f"{PATIENT}disclosures/new/", views.disclosure_add, name="disclosure_add"),
    path(f"{PATIENT}disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path(f"{PATIENT}restrictions/new/", views.restriction_add, name="restriction_add"),
    path(f"{PATIENT}restrictions/<int:pk>/decide/", views.restriction_decide, name="restriction_decide"),
    path(f"{PATIENT}accounting/", views.accounting, name="accounting"),
    path(f"{PATIENT}accounting/<int:pk>/", views.accounting_print, name="accounting_print"),
    path(f"{PATIENT}access-report/", views.access_report, name="access_report"),
]
