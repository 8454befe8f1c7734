# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.treatment.views import counseling, groups, library, notes, plans

app_name = "treatment"

urlpatterns = [
    # Treatment plans
    path("patients/<int:patient_pk>/plan/start/", plans.plan_start, name="plan_start"),
    path("plans/versions/<int:pk>/", plans.plan_version, name="plan_version"),
    path("plans/versions/<int:pk>/print/", plans.plan_print, name="plan_print"),
    path("plans/versions/<int:pk>/sign/", plans.plan_sign, name="plan_sign"),
    path("plans/versions/<int:pk>/cosign/", plans.plan_cosign, name="plan_cosign"),
    path("plans/versions/<int:pk>/<slug:kind>/new/", plans.plan_item, name="plan_item_add"),
    path("plans/versions/<int:pk>/<slug:kind>/<int:item_pk>/", plans.plan_item, name="plan_item_edit"),
    path("plans/versions/<int:pk>/<slug:kind>/<int:item_pk>/remove/", plans.plan_item_remove, name="plan_item_remove"),
    path("plans/versions/<int:pk>/from-library/", library.plan_from_library, name="plan_from_library"),
    path("plans/library/", library.library, name="library"),
    path("plans/<int:pk>/revise/", plans.plan_revise, name="plan_revise"),
    path("plans/<int:pk>/compare/", plans.plan_compare, name="plan_compare"),
    # Notes, addenda, homework
    path("patients/<int:patient_pk>/notes/new/", notes.note_create, name="note_create"),
    path("patients/<int:patient_pk>/homework/new/", notes.homework_create, name="homework_create"),
    path("notes/<int:pk>/", notes.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:pk>/sign/", notes.note_sign, name="note_sign"),
    path("notes/<int:pk>/cosign/", notes.note_cosign, name="note_cosign"),
    path("notes/<int:pk>/addendum/", notes.note_addendum, name="note_addendum"),
    path("homework/<int:pk>/complete/", notes.homework_complete, name="homework_complete"),
    # SUD counseling notes (kept apart: their author and the author's supervisor)
    path("patients/<int:patient_pk>/counseling-notes/", counseling.counseling_notes, name="counseling_notes"),
    path(
        "patients/<int:patient_pk>/counseling-notes/supervised/",
        counseling.counseling_notes_supervised,
        name="counseling_notes_supervised",
    ),
    # Group notes
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/cosign/", groups.group_cosign, name="group_cosign"),
]
