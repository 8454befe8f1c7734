# SPDX-License-Identifier: AGPL-3.0-or-later
"""Context for the chart tabs and dashboard sections this app registers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openiop.audit.services import log_read
from openiop.core import navigation
from openiop.core.access import has_action
from openiop.patients.models import Episode, Patient
from openiop.treatment import conf, selectors
from openiop.treatment.models import Homework, PlanVersion, TreatmentPlan
from openiop.treatment.permissions import NOTE_WRITE, PLAN_WRITE, SUD_NOTES_WRITE, TREATMENT_VIEW


def plan_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    plans = list(
        TreatmentPlan.objects.restrict(request.user, TREATMENT_VIEW)
        .filter(episode__patient=patient)
        .select_related("episode")
        .order_by("-episode__admission_date")
    )
    rows: list[dict[str, Any]] = []
    for plan in plans:
        versions = list(plan.versions.order_by("-number"))
        rows.append(
            {
                "plan": plan,
                "versions": versions,
                "current": next((v for v in versions if v.status == PlanVersion.Status.SIGNED), None),
            }
        )
    active = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    return {
        "plans": rows,
        "active_episode": active,
        "can_start": has_action(request.user, PLAN_WRITE)
        and active is not None
        and not any(r["plan"].episode_id == active.pk for r in rows),
        "review_days": conf.plan_review_days(),
    }


def notes_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    notes = selectors.chart_notes(patient, request.user)
    log_read(patient, data={"view": "notes"})
    homework = list(
        Homework.objects.restrict(request.user, TREATMENT_VIEW)
        .filter(patient=patient)
        .select_related("support_person", "note")
    )
    active = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    counseling = selectors.counseling_notes_summary(patient, request.user)
    return {
        "notes": notes,
        "counseling": counseling,
        "can_write_counseling": has_action(request.user, SUD_NOTES_WRITE) and active is not None,
        "homework": homework,
        "today": timezone.localdate(),
        "can_write": has_action(request.user, NOTE_WRITE) and active is not None,
        "late_hours": conf.note_late_hours(),
    }


PLANS_DUE_KEY = "treatment_plans_due"  # the section's key: its pages are ?treatment_plans_due-page=N


def plans_due(request: HttpRequest) -> dict[str, Any] | None:
    """One page of the plans to write or review (no other page lists them,
    so the dashboard pages through them itself)."""
    per_page = navigation.DASHBOARD_ROWS
    page = navigation.section_page(request, PLANS_DUE_KEY)
    items, total = selectors.plans_due(request.user, limit=per_page, offset=(page - 1) * per_page)
    if not items and page > 1:  # past the end (the list shrank): the first page
        page = 1
        items, total = selectors.plans_due(request.user, limit=per_page)
    if not items:
        return None
    return {
        "items": items,
        "total": total,
        "review_days": conf.plan_review_days(),
        "more": navigation.section_pages(request, PLANS_DUE_KEY, page, len(items), total, per_page=per_page),
    }


def cosign(request: HttpRequest) -> dict[str, Any] | None:
    notes, plans = selectors.cosign_queue(request.user)
    if not notes and not plans:
        return None
    return {"notes": notes, "plans": plans}
