# SPDX-License-Identifier: AGPL-3.0-or-later
"""Booked intake assessments, as time scheduling must not double-book: the
clinician and the room are held from the moment the inquiry reaches
"Assessment scheduled" until it moves on (admitted, referred out, closed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openiop.admissions import pipeline
from openiop.admissions.models import Inquiry
from openiop.admissions.permissions import ADMISSIONS_VIEW
from openiop.scheduling.busy import BusyBlock

KIND = "intake_assessment"


def block_key(inquiry: Inquiry) -> str:
    return f"inquiry-{inquiry.pk}"


def _initials(inquiry: Inquiry) -> str:
    return "".join(f"{name[:1].upper()}." for name in (inquiry.first_name, inquiry.last_name) if name)


def booked_assessments(
    start: dt.datetime,
    end: dt.datetime,
    *,
    clinician_ids: Collection[int] | None = None,
    room_ids: Collection[int] | None = None,
    site_id: int | None = None,
) -> list[BusyBlock]:
    """Assessments booked over START-END, labelled with the caller's
    initials only: the calendar is read by staff who may not see the inquiry."""
    inquiries = Inquiry.objects.filter(
        stage=pipeline.ASSESSMENT_SCHEDULED,
        assessment_start__lt=end,
        assessment_end__gt=start,
        assessment_clinician__isnull=False,
    )
    if site_id is not None:
        inquiries = inquiries.filter(site_id=site_id)
    if clinician_ids is not None or room_ids is not None:
        holds = Q(pk__in=[])
        if clinician_ids is not None:
            holds |= Q(assessment_clinician_id__in=list(clinician_ids))
        if room_ids is not None:
            holds |= Q(assessment_room_id__in=list(room_ids))
        inquiries = inquiries.filter(holds)
    blocks = []
    for inquiry in inquiries.only(
        "pk", "site_id", "first_name", "last_name", "assessment_clinician_id", "assessment_room_id",
        "assessment_start", "assessment_end",
    ):  # fmt: skip
        assert inquiry.assessment_start is not None and inquiry.assessment_end is not None  # filtered above
        blocks.append(
            BusyBlock(
                key=block_key(inquiry),
                kind=KIND,
                label=_("Intake assessment · %(initials)s") % {"initials": _initials(inquiry)},
                start=inquiry.assessment_start,
                end=inquiry.assessment_end,
                site_id=inquiry.site_id,
                clinician_id=inquiry.assessment_clinician_id,
                room_id=inquiry.assessment_room_id,
                url=reverse("admissions:detail", args=[inquiry.pk]),
                url_action=ADMISSIONS_VIEW,
            )
        )
    return blocks
