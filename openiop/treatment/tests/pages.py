# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects, Page
from openiop.patients.models import SupportPerson
from openiop.sites.models import Organization
from openiop.treatment.models import Homework
from openiop.treatment.permissions import (
    COUNSELLING_NOTES,
    LIBRARY_EDIT,
    NOTE_WRITE,
    PLAN_WRITE,
    SUD_NOTES_SUPERVISE,
    SUD_NOTES_WRITE,
    TREATMENT_COSIGN,
    TREATMENT_SIGN,
    TREATMENT_VIEW,
)


def _x(name: str, key: str = "pk") -> Any:
    return lambda objects: {key: objects.extra[name].pk}


def _item(objects: Objects) -> dict[str, Any]:
    return {
        "pk": objects.extra["treatment_draft"].pk,
        "kind": "problem",
        "item_pk": objects.extra["treatment_problem"].pk,
    }


PAGES = [
    Page("treatment:plan_start", PLAN_WRITE, _x("treatment_patient", "patient_pk")),
    Page("treatment:plan_version", TREATMENT_VIEW, _x("treatment_signed")),
    Page("treatment:plan_print", TREATMENT_VIEW, _x("treatment_signed")),
    Page("treatment:plan_sign", TREATMENT_SIGN, _x("treatment_draft"), form=True),
    Page("treatment:plan_cosign", TREATMENT_COSIGN, _x("treatment_signed"), form=True),
    Page(
        "treatment:plan_item_add",
        PLAN_WRITE,
        lambda o: {"pk": o.extra["treatment_draft"].pk, "kind": "objective"},
        form=True,
    ),
    Page("treatment:plan_item_edit", PLAN_WRITE, _item, form=True),
    Page("treatment:plan_item_remove", PLAN_WRITE, _item, form=True),
    Page("treatment:plan_from_library", PLAN_WRITE, _x("treatment_draft"), form=True),
    Page("treatment:library", LIBRARY_EDIT, form=True),
    Page("treatment:plan_revise", PLAN_WRITE, lambda o: {"pk": o.extra["treatment_signed"].plan_id}, form=True),
    Page("treatment:plan_compare", TREATMENT_VIEW, lambda o: {"pk": o.extra["treatment_signed"].plan_id}),
    Page("treatment:note_create", NOTE_WRITE, _x("treatment_patient", "patient_pk")),
    Page("treatment:homework_create", NOTE_WRITE, _x("treatment_patient", "patient_pk"), form=True),
    Page("treatment:note_detail", TREATMENT_VIEW, _x("treatment_note")),
    Page("treatment:note_edit", NOTE_WRITE, _x("treatment_note")),
    Page("treatment:note_sign", TREATMENT_SIGN, _x("treatment_note"), form=True),
    Page("treatment:note_cosign", TREATMENT_COSIGN, _x("treatment_signed_note"), form=True),
    Page("treatment:note_addendum", NOTE_WRITE, _x("treatment_signed_note"), form=True),
    Page("treatment:homework_complete", NOTE_WRITE, _x("treatment_homework"), form=True),
    Page("treatment:group_list", TREATMENT_VIEW),
    Page("treatment:group_create", COUNSELLING_NOTES, form=True),
    Page("treatment:group_edit", COUNSELLING_NOTES, _x("treatment_group")),
    Page("treatment:group_cosign", TREATMENT_COSIGN, _x("treatment_group")),
    # Each lists only the notes its user wrote or supervises (none here): the
    # per-person rule is tested in test_counseling_notes.py.
    Page("treatment:counseling_notes", SUD_NOTES_WRITE, _x("treatment_patient", "patient_pk"), form=True),
    Page("treatment:counseling_notes_supervised", SUD_NOTES_SUPERVISE, _x("treatment_patient", "patient_pk")),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    """A supervised clinician's signed plan (awaiting co-signature) and a
    draft revision, a draft and a signed note, homework and a group note,
    all at the North site."""
    from openiop.patients.services import episode_admit
    from openiop.treatment.services import groups, notes, plans
    from openiop.treatment.tests.factories import signed_plan

    author = staff_create(
        username=f"treatment-author-{base.site.code}", password=None, first_name="Terry", last_name="Author",
        role_codes=[RoleCode.CLINICIAN], sites=[base.site], requires_cosignature=True,
    )  # fmt: skip
    # The table checks the role matrix, the same for every user of a role;
    # need to know (per person: on the care team or not) is tested in
    # test_need_to_know.py, so the table's organization has it off.
    Organization.objects.filter(pk=base.site.organization_id).update(need_to_know=False)
    today = timezone.localdate()
    episode = episode_admit(
        actor=author, patient=base.patient, site=base.site, admission_date=today - dt.timedelta(days=7),
        primary_counsellor=author,
    )  # fmt: skip
    signed = signed_plan(author, episode)
    draft = plans.plan_revise(actor=author, plan=signed.plan, reason="Review")
    sections = {"data": "d", "assessment": "a", "plan": "p"}
    note_args: dict[str, Any] = {
        "actor": author, "episode": episode, "kind": "individual", "note_format": "DAP",
        "session_date": today - dt.timedelta(days=1),
        "start_time": dt.time(8), "end_time": dt.time(8, 50), "sections": sections,
    }  # fmt: skip
    note = notes.note_create(**note_args)
    signed_note = notes.note_sign(actor=author, note=notes.note_create(**note_args))
    person = SupportPerson.objects.create(patient=base.patient, name="Pat Person", relation="parent")
    homework = notes.homework_assign(
        actor=author, episode=episode, description="Journal", due_date=today, assigned_to=Homework.AssignedTo.BOTH,
        support_person=person, note=signed_note,
    )  # fmt: skip
    group = groups.group_create(
        actor=author, site=base.site, session_date=today, start_time=dt.time(9), end_time=dt.time(12),
        topic="Coping skills", facilitator=author, patients=[base.patient],
    )  # fmt: skip
    return {
        "treatment_patient": base.patient,
        "treatment_signed": signed,
        "treatment_draft": draft,
        "treatment_problem": draft.problems.first(),
        "treatment_note": note,
        "treatment_signed_note": signed_note,
        "treatment_homework": homework,
        "treatment_group": group,
    }
