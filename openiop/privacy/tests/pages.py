# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects, Page, no_kwargs
from openiop.privacy import services, services_release, services_signing
from openiop.privacy.gate import Recipient
from openiop.privacy.information import REQUIRED_STATEMENTS, ConsentKind, ExpiryKind, Purpose, RecipientKind
from openiop.privacy.permissions import (
    BREAK_GLASS,
    CONSENTS_RECORD,
    CONSENTS_REVOKE,
    CONSENTS_VIEW,
    DISCLOSURES_RECORD,
    PRIVACY_ACCOUNTING,
    PRIVACY_OVERSEE,
    RESTRICTIONS_DECIDE,
    RESTRICTIONS_RECORD,
)
from openiop.sites.models import Site


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _consent(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_consent"].pk}


def _restriction(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_restriction"].pk}


def _accounting(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_accounting"].pk}


def _disclosure(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_disclosure"].pk}


def _signed_consent(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_signed_consent"].pk}


def _release(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["privacy_release"].pk}


def _emergency(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["privacy_emergency"].pk}


PAGES: list[Page] = [
    Page("privacy:overview", PRIVACY_OVERSEE, no_kwargs),
    Page("privacy:break_glass", BREAK_GLASS, no_kwargs, form=True),
    Page("privacy:emergency_review", PRIVACY_OVERSEE, _emergency, form=True),
    Page("privacy:patient", CONSENTS_VIEW, _patient),
    Page("privacy:consent_add", CONSENTS_RECORD, _patient),
    Page("privacy:consent", CONSENTS_VIEW, _consent),
    Page("privacy:disclosure_add", DISCLOSURES_RECORD, _patient, form=True),
    Page("privacy:disclosure", CONSENTS_VIEW, _disclosure),
    Page("privacy:consent_revoke", CONSENTS_REVOKE, _consent, form=True),
    Page("privacy:restriction_add", RESTRICTIONS_RECORD, _patient, form=True),
    Page("privacy:restriction_decide", RESTRICTIONS_DECIDE, _restriction, form=True),
    Page("privacy:accounting", PRIVACY_ACCOUNTING, _patient, form=True),
    Page("privacy:accounting_print", PRIVACY_ACCOUNTING, _accounting, form=True),
    Page("privacy:access_report", PRIVACY_ACCOUNTING, _patient),
    Page("privacy:consent_sign", CONSENTS_RECORD, _consent, form=True),
    Page("privacy:consent_document", CONSENTS_VIEW, _signed_consent),
    Page("privacy:notice", CONSENTS_RECORD, _patient, form=True),
    Page("privacy:release_add", DISCLOSURES_RECORD, _patient, form=True),
    Page("privacy:release", DISCLOSURES_RECORD, _release),
    Page("privacy:release_packet", DISCLOSURES_RECORD, _release),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    officer = staff_create(
        username=f"pages-privacy-officer-{base.site.code}",
        password=None,
        first_name="Page",
        last_name="Officer",
        email=f"pages-privacy-officer-{base.site.code}@example.invalid",
        role_codes=[RoleCode.PRIVACY_OFFICER],
        sites=[base.site],
    )
    today = timezone.localdate()
    consent = services.consent_record(
        actor=officer,
        patient=base.patient,
        kind=ConsentKind.SPECIFIC,
        information=["attendance"],
        recipients=[Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation")],
        purposes=[Purpose.CRIMINAL_JUSTICE],
        expiry_kind=ExpiryKind.DATE,
        expires_on=today + dt.timedelta(days=90),
        signed_on=today,
        signature_confirmed=True,
        statements=REQUIRED_STATEMENTS[ConsentKind.SPECIFIC],
    )
    disclosure = services.disclose(
        patient=base.patient,
        recipient=Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation"),
        purpose=Purpose.CRIMINAL_JUSTICE,
        information=["attendance"],
        actor=officer,
        channel="fax",
    )
    signed_consent = services.consent_record(
        actor=officer,
        patient=base.patient,
        kind=ConsentKind.TPO,
        information=["all_except_counseling_notes"],
        purposes=[Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
        expiry_kind=ExpiryKind.END_OF_TREATMENT,
        signed_on=today,
        signature_confirmed=True,
        statements=REQUIRED_STATEMENTS[ConsentKind.TPO],
    )
    services_signing.consent_attach_scan(
        actor=officer, consent=signed_consent, typed_name="Page Patient", scan=b"%PDF-1.4 scanned consent"
    )
    release = services_release.release_build(
        actor=officer,
        release=services_release.release_request_record(
            actor=officer,
            patient=base.patient,
            received_on=today,
            due_on=today + dt.timedelta(days=30),
            requester=Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation"),
            information=["attendance"],
            purpose=Purpose.CRIMINAL_JUSTICE,
            channel="fax",
        ),
    )
    restriction = services.restriction_request_record(
        actor=officer,
        patient=base.patient,
        requested_on=today,
        recipient=Recipient(RecipientKind.FAMILY, "", "Rosa Diaz"),
    )
    accounting = services.accounting_request_record(actor=officer, patient=base.patient, requested_on=today)
    elsewhere = Site.objects.create(
        organization=base.site.organization,
        code=f"{base.site.code}-east"[:20],
        name="East Site",
        street="2 Main Street",
        city="Boston",
        state="MA",
        zip_code="02108",
        time_zone="America/New_York",
    )
    visiting_nurse = staff_create(
        username=f"pages-privacy-nurse-{base.site.code}",
        password=None,
        first_name="Visiting",
        last_name="Nurse",
        email=f"pages-privacy-nurse-{base.site.code}@example.invalid",
        role_codes=[RoleCode.NURSE],
        sites=[elsewhere],
    )
    emergency = services.emergency_access_open(
        actor=visiting_nurse, patient=base.patient, reason="Patient collapsed at our site; need medication list."
    )
    return {
        "privacy_consent": consent,
        "privacy_disclosure": disclosure,
        "privacy_restriction": restriction,
        "privacy_accounting": accounting,
        "privacy_emergency": emergency,
        "privacy_signed_consent": signed_consent,
        "privacy_release": release,
    }
