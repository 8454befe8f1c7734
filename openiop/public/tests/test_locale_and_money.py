# SPDX-License-Identifier: AGPL-3.0-or-later
"""Numbers and money in the page's language, whole dollars for ranges, the
Medicaid expansion hint, the public 404 page, the staff login in Spanish,
and US spelling with no internal names on screen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from openiop.public import medicaid
from openiop.public.poverty import CONTIGUOUS, Guideline
from openiop.public.templatetags.public_tags import dollars, number, whole_dollars
from openiop.public.tests.test_views import COST, text

GUIDELINE_2026 = Guideline(2026, CONTIGUOUS, Decimal(15960), Decimal(5680))


def test_money_and_numbers_follow_the_active_language() -> None:
    with translation.override("en"):
        shown = [dollars(Decimal("1234.5")), dollars(1234), whole_dollars(Decimal("1234.5")), number(Decimal("2.50"))]
        assert shown == ["$1,234.50", "$1,234", "$1,235", "2.5"]
    with translation.override("es"):
        assert [dollars(Decimal("1234.5")), whole_dollars(Decimal("-1234.49")), number(Decimal("2.50"))] == [
            "$1\xa0234,50", "-$1\xa0234", "2,5",
        ]  # fmt: skip


def test_the_medicaid_expansion_list_is_data_with_its_holdouts() -> None:
    assert len(medicaid.EXPANSION_STATES) == 41  # 40 states and DC
    for state in ("TX", "FL", "GA", "WI", "WY", "AL", "MS", "SC", "TN", "KS"):
        assert not medicaid.has_expanded(state)
    assert medicaid.has_expanded("ma") and medicaid.has_expanded("DC")


def test_medicaid_is_mentioned_at_or_below_138_percent_in_an_expansion_state_only() -> None:
    limit = GUIDELINE_2026.amount(2) * Decimal("1.38")  # 29,863.20 for two people
    assert medicaid.may_qualify(income=limit, household_size=2, guideline=GUIDELINE_2026, state="MA")
    assert not medicaid.may_qualify(
        income=limit + Decimal("0.01"), household_size=2, guideline=GUIDELINE_2026, state="MA"
    )
    assert not medicaid.may_qualify(income=Decimal(1000), household_size=2, guideline=GUIDELINE_2026, state="TX")


@pytest.mark.django_db
def test_the_cost_page_mentions_medicaid_for_a_low_income_in_an_expansion_state(client: Client) -> None:
    low = {**COST, "household_size": "2", "income": "25000"}
    boston = client.post(reverse("public:cost"), {**low, "zip_code": "02108"})
    assert "you may qualify for Medicaid in Massachusetts" in text(boston)
    dallas = client.post(reverse("public:cost"), {**low, "zip_code": "75201"})
    assert dallas.context["ways"].sliding is not None and "qualify for Medicaid" not in text(dallas)
    higher = client.post(reverse("public:cost"), {**low, "zip_code": "02108", "income": "40000"})
    assert "qualify for Medicaid" not in text(higher)


@pytest.mark.django_db
def test_estimate_ranges_are_whole_dollars_in_the_pages_language(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    body = client.post(reverse("public:cost"), COST).content.decode()
    assert "$6\xa0027 – $8\xa0154" in body  # Spanish groups thousands with a no-break space
    assert "$7\xa0090" in body  # the itemized total, exact


@pytest.mark.django_db
def test_the_404_page_speaks_to_the_public_in_their_language(client: Client) -> None:
    response = client.get("/help/no-such-page/")
    assert response.status_code == 404
    body = text(response)
    assert "We could not find that page" in body and "Find an IOP near me" in body
    assert "dashboard" not in body.lower() and 'class="crisis-banner"' in body
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    spanish = text(client.get("/help/no-such-page/"))
    assert "No pudimos encontrar esa página" in spanish and '<html lang="es"' in spanish


@pytest.mark.django_db
def test_the_staff_login_is_translated_and_names_no_setting(client: Client) -> None:
    english = text(client.get(reverse("accounts:login")))
    assert "OPENIOP_" not in english and "REQUIRE_MFA" not in english
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    spanish = text(client.get(reverse("accounts:login")))
    for phrase in ("Iniciar sesión en OpenIOP", "¿Olvidó su contraseña?", "Idioma"):
        assert phrase in spanish


@pytest.mark.django_db
def test_public_pages_use_us_spelling(client: Client) -> None:
    for url in (reverse("public:home"), reverse("public:cost")):
        body = text(client.get(url)).lower()
        for british in ("counsell", "licence", "towards", "colour", "behaviour", "organis"):
            assert british not in body, (url, british)
