# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.demo.program import app_demo_modules
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY, register
from openiop.privacy import demo, selectors
from openiop.privacy.models import Consent, Disclosure, EmergencyAccess, RestrictionRequest
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_sites(persona: Callable[..., User], north: Site, south: Site) -> list[Site]:
    for site in (north, south):
        for role in (RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.PRIVACY_OFFICER, RoleCode.CLINICIAN, RoleCode.NURSE):
            persona(role, site=site)
    clinician = User.objects.filter(roles__code=RoleCode.CLINICIAN).first()
    for number in range(12):
        site = north if number % 3 else south
        patient = register(site, legal_first_name=f"Demo{number}", legal_last_name="Person")
        episode_admit(actor=clinician, patient=patient, site=site, admission_date=TODAY - dt.timedelta(days=30))
    return [north, south]


def test_the_demo_has_every_kind_of_consent_a_revoked_and_an_expired_one_and_disclosures(
    staffed_sites: list[Site],
) -> None:
    ticks: list[int] = []

    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(3), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("tiny")
    assert set(Consent.objects.values_list("kind", flat=True)) == {"tpo", "specific", "counseling_notes"}
    states = {
        row.state
        for consent in Consent.objects.select_related("patient")
        for row in selectors.consent_rows([consent], consent.patient)
    }
    assert {"active", "revoked", "expired"} <= states
    assert Consent.objects.filter(signer="representative").exists()
    assert Disclosure.objects.filter(consent__kind="tpo").exists()
    assert Disclosure.objects.filter(consent__kind="specific").exists()
    assert Disclosure.objects.filter(exception="medical_emergency").exists()
    assert not Disclosure.objects.filter(notice_text="").exists()
    assert RestrictionRequest.objects.filter(paid_out_of_pocket=True, status="granted").exists()
    assert RestrictionRequest.objects.filter(status="pending").exists()
    assert EmergencyAccess.objects.count() == 1
    officers = User.objects.filter(roles__code=RoleCode.PRIVACY_OFFICER)
    assert any(selectors.expiring_consents(officer) for officer in officers)


def test_the_demo_is_safe_to_run_twice_and_is_registered(staffed_sites: list[Site]) -> None:
    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(3), tick=lambda n: None)
    counts = (Consent.objects.count(), Disclosure.objects.count())

    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(4), tick=lambda n: None)

    assert (Consent.objects.count(), Disclosure.objects.count()) == counts
    assert demo in app_demo_modules()


def test_the_demo_has_signed_forms_notices_and_requests_for_records(staffed_sites: list[Site]) -> None:
    from openiop.privacy import services_release
    from openiop.privacy.models import NoticeAcknowledgement, ReleaseRequest

    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(3), tick=lambda n: None)

    signed = Consent.objects.exclude(document="")
    assert set(signed.values_list("signature_method", flat=True)) == {"drawn", "scanned"}
    assert all(services_release.stored_file_matches(consent.document, consent.document_sha256) for consent in signed)
    given = NoticeAcknowledgement.objects.values_list("patient", flat=True).distinct().count()
    assert 0 < given < Consent.objects.values("patient").distinct().count() + 5
    officers = User.objects.filter(roles__code=RoleCode.PRIVACY_OFFICER)
    assert any(selectors.patients_without_notice(officer).exists() for officer in officers)
    released = ReleaseRequest.objects.get(status="released")
    assert released.disclosure is not None and released.disclosure.document_sha256 == released.packet_sha256
    assert ReleaseRequest.objects.filter(status="open").exists()
