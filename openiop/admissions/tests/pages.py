# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions pages added after the central permission table was written."""

from __future__ import annotations

from typing import Any

from openiop.admissions import services
from openiop.admissions.models import ReferralSource
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_SELFCHECK, ADMISSIONS_SOURCES
from openiop.core.testing import Objects, Page, no_kwargs, the_inquiry


def the_source(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_source"].pk}


def the_risk_inquiry(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_risk_inquiry"].pk}


PAGES = [
    Page("admissions:edit", ADMISSIONS_CREATE, the_inquiry, form=True),
    Page("admissions:source_create", ADMISSIONS_SOURCES, no_kwargs, form=True),
    Page("admissions:source_edit", ADMISSIONS_SOURCES, the_source, form=True, organization_wide=True),
    Page("admissions:source_delete", ADMISSIONS_SOURCES, the_source, form=True, organization_wide=True),
    Page("admissions:selfcheck_acknowledge", ADMISSIONS_SELFCHECK, the_risk_inquiry, form=True),
]


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
    return {
        "admissions_source": ReferralSource.objects.create(
            name=f"Permission-table clinic {base.site.code}", kind="physician"
        ),
        "admissions_risk_inquiry": risky,
    }
