# SPDX-License-Identifier: AGPL-3.0-or-later
"""The billing specialist's claims pages: the list with its filters, the
denials queue with each CARC in words and the next step, a claim's page, and
sending a corrected claim (7) or a void (8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.claims.models import Claim, ClaimStatus
from openiop.claims.tests.builders import billing_ready, make_patient, make_payer, sent_claim
from openiop.claims.tests.test_answers import days, load
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.sites.models import Site
from openiop.x12.validate import validate


@pytest.fixture
def episode(north: Site) -> Episode:
    site = billing_ready(north)
    return make_patient(site, make_payer(site, payer_id="SHP01", authorization_required=False))


@pytest.fixture
def biller(persona: Callable[..., User], client: Client) -> Client:
    client.force_login(persona(RoleCode.BILLING_SPECIALIST))
    return client


def test_the_denials_queue_says_what_the_carc_means_and_what_to_do(episode: Episode, biller: Client) -> None:
    denied = sent_claim(episode, "IOP1003", days(20, 3))
    assert load("835_denied.x12")[0]

    page = biller.get(reverse("claims:denials")).content.decode()

    assert "IOP1003" in page and "CO-197" in page and reverse("claims:detail", args=[denied.pk]) in page
    assert "authorization" in page.lower() and reverse("claims:replace", args=[denied.pk]) in page


def test_a_payment_for_a_claim_we_never_sent_waits_on_the_denials_page(episode: Episode, biller: Client) -> None:
    sent_claim(episode, "IOP1001", days(5, 3))
    assert load("835_paid_in_full.x12")[0] and load("835_reversal_and_correction.x12")[0]

    page = biller.get(reverse("claims:denials")).content.decode()

    assert "Payments that match no claim" in page and "IOP1004" in page and "NGUYEN, TAYLOR" in page


def test_the_claims_list_filters_by_status_and_says_so_when_a_filter_is_wrong(episode: Episode, biller: Client) -> None:
    sent_claim(episode, "IOP1001", days(5, 3))
    sent_claim(episode, "IOP1003", days(20, 3))
    assert load("835_denied.x12")[0]

    denied_only = biller.get(reverse("claims:list"), {"status": "denied"}).content.decode()
    wrong = biller.get(reverse("claims:list"), {"start": "2026-02-01", "end": "2026-01-01"})

    assert "IOP1003" in denied_only and "IOP1001" not in denied_only
    assert wrong.status_code == 200 and "cannot be before the first" in wrong.content.decode()
    assert "IOP1001" not in wrong.content.decode()


def test_a_corrected_claim_replaces_the_denied_one_and_goes_to_the_outbox(
    episode: Episode, biller: Client, _clearinghouse_in_tmp: Path
) -> None:
    original = sent_claim(episode, "IOP1003", days(20, 3))
    assert load("835_denied.x12")[0]

    response = biller.post(reverse("claims:replace", args=[original.pk]), {"frequency": "7"})

    replacement = Claim.objects.get(replaces=original)
    assert response.status_code == 302 and response["Location"] == reverse("claims:detail", args=[replacement.pk])
    original.refresh_from_db()
    assert (original.status, replacement.frequency, replacement.status) == ("void", "7", "built")
    text = (_clearinghouse_in_tmp / "outbox" / replacement.file_name).read_text()
    assert validate(text) == [] and ":A:7*" in text and "REF*F8*SHP26012000004" in text


def test_a_void_needs_the_payers_claim_number(episode: Episode, biller: Client) -> None:
    claim = sent_claim(episode, "IOP1010", days(5, 3))
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.ACCEPTED)

    response = biller.post(reverse("claims:replace", args=[claim.pk]), {"frequency": "8"})

    assert response.status_code == 200 and "claim number is not known yet" in response.content.decode()
    assert not Claim.objects.filter(replaces=claim).exists()


def test_another_sites_staff_cannot_see_the_claim(
    episode: Episode, persona: Callable[..., User], south: Site, client: Client
) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))
    client.force_login(persona(RoleCode.BILLING_SPECIALIST, site=south))

    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
    assert "IOP1001" not in client.get(reverse("claims:list")).content.decode()


def test_the_admin_refuses_an_npi_that_fails_the_check_digit(episode: Episode) -> None:
    from openiop.claims.admin import ProviderNumberForm
    from openiop.scheduling.tests.pages import staff

    user = staff(episode.site)
    bad = ProviderNumberForm({"user": user.pk, "npi": "1245319590", "taxonomy": "101ya0400x"})
    good = ProviderNumberForm({"user": user.pk, "npi": "1245319599", "taxonomy": "101ya0400x"})

    assert not bad.is_valid() and "check digit" in str(bad.errors["npi"])
    assert good.is_valid() and good.cleaned_data["taxonomy"] == "101YA0400X"
