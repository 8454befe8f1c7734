# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions pages added after the central permission table was written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openiop.admissions import services
from openiop.admissions.models import ReferralSource
from openiop.admissions.permissions import (
    ADMISSIONS_CREATE,
    ADMISSIONS_MANAGE,
    ADMISSIONS_SELFCHECK,
    ADMISSIONS_SOURCES,
)
from openiop.core.testing import Objects, Page, no_kwargs, the_inquiry


def the_source(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_source"].pk}


def the_risk_inquiry(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_risk_inquiry"].pk}


def the_inquiry_to_book(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_benefits_inquiry"].pk}


def the_inquiry_to_admit(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_assessment_inquiry"].pk}


PAGES = [
    Page("admissions:edit", ADMISSIONS_CREATE, the_inquiry, form=True),
    Page("admissions:source_create", ADMISSIONS_SOURCES, no_kwargs, form=True),
    Page("admissions:source_edit", ADMISSIONS_SOURCES, the_source, form=True, organization_wide=True),
    Page("admissions:source_delete", ADMISSIONS_SOURCES, the_source, form=True, organization_wide=True),
    Page("admissions:selfcheck_acknowledge", ADMISSIONS_SELFCHECK, the_risk_inquiry, form=True),
    Page("admissions:prescreen", ADMISSIONS_MANAGE, the_inquiry, form=True),
    Page("admissions:benefits", ADMISSIONS_MANAGE, the_inquiry, form=True),
    Page("admissions:assessment", ADMISSIONS_MANAGE, the_inquiry_to_book, form=True),
    Page("admissions:admit", ADMISSIONS_MANAGE, the_inquiry_to_admit, form=True),
]


def _inquiry_at(base: Objects, *stages: str, first_name: str, phone: str) -> Any:
    inquiry = services.inquiry_create(
        actor=None,
        site=base.site,
        caller_name=f"{first_name} Park",
        first_name=first_name,
        last_name="Park",
        birth_date=dt.date(1990, 5, 6),
        phone=phone,
        consent_to_contact=True,
    )
    for stage in stages:
        inquiry = services.inquiry_move(actor=None, inquiry=inquiry, to_stage=stage)
    return inquiry


def extra_objects(base: Objects) -> dict[str, Any]:
    # A website request whose person shared a risk, so its acknowledgement page exists.
    risky = services.inquiry_create(
        actor=None,
        site=base.site,
        channel="website",
        caller_name="Ana Ruiz",
        first_name="Ana",
        last_name="Ruiz",
        phone="(617) 555-0177",
        consent_to_contact=True,
    )
    services.selfcheck_share_record(inquiry=risky, outcomes=["withdrawal"])
    # One inquiry whose next step is booking the assessment, one whose next step is admission.
    suffix = "1" if base.site.code == "north" else "2"
    to_book = _inquiry_at(base, "pre_screen", "benefits_check", first_name="Bea", phone=f"(413) 555-01{suffix}1")
    to_admit = _inquiry_at(
        base, "pre_screen", "benefits_check", "assessment_scheduled", first_name="Cal", phone=f"(413) 555-01{suffix}2"
    )
    return {
        "admissions_benefits_inquiry": to_book,
        "admissions_assessment_inquiry": to_admit,
        "admissions_source": ReferralSource.objects.create(
            name=f"Permission-table clinic {base.site.code}", kind="physician"
        ),
        "admissions_risk_inquiry": risky,
    }
