# SPDX-License-Identifier: AGPL-3.0-or-later
"""The locator's service texts onto our attributes (plain tests)."""

from __future__ import annotations

import pytest

from openiop.directory import vocab
from openiop.directory.locator_mapping import map_services
from openiop.directory.vocab import Age, Language, Payment, Service


def entry(code: str, value: str) -> dict[str, str]:
    return {"f1": "ignored", "f2": code, "f3": value}


def test_settings_and_medications_map_to_services() -> None:
    mapped = map_services(
        [
            entry("SET", "Outpatient; Regular outpatient treatment; Intensive outpatient treatment"),
            entry("SET", "Partial hospitalization/day treatment"),
            entry("TC", "Outpatient detoxification"),
            entry("PHR", "Buprenorphine used in Treatment; Naltrexone (oral); Acamprosate (Campral®)"),
            entry("TAP", "Matrix Model"),
        ]
    )
    assert mapped.services == int(
        Service.IOP | Service.PHP | Service.OUTPATIENT | Service.DETOX | Service.MOUD | Service.MAUD | Service.MATRIX
    )
    assert mapped.unmapped == []


def test_disulfiram_alone_is_alcohol_medication_only() -> None:
    assert map_services([entry("PHR", "Disulfiram")]).services == int(Service.MAUD)
    assert map_services([entry("PHR", "Methadone maintenance")]).services == int(Service.MOUD)


def test_payment_texts_match_exactly_so_other_state_plans_are_not_medicaid() -> None:
    mapped = map_services(
        [
            entry("PAY", "Private health insurance; Medicare; Military insurance (e.g., TRICARE)"),
            entry("PAY", "State-financed health insurance plan other than Medicaid"),
            entry("PYAS", "Sliding fee scale (fee is based on income and other factors)"),
            entry("PYAS", "Treatment at no charge or minimal payment for clients who cannot afford to pay"),
        ]
    )
    assert mapped.payment == int(
        Payment.PRIVATE | Payment.MEDICARE | Payment.TRICARE | Payment.SLIDING_FEE | Payment.FREE
    )
    assert mapped.payment & Payment.MEDICAID == 0
    assert mapped.unmapped == ["State-financed health insurance plan other than Medicaid"]


def test_ages_and_languages_come_only_from_their_categories() -> None:
    mapped = map_services(
        [
            entry("AGE", "Adults; Young adults; Children/Adolescents"),
            entry("SL", "Spanish; ASL or other assistance for hearing impaired"),
            entry("OL", "Any Chinese language; Vietnamese"),
            entry("SG", "Adolescents; Spanish-speaking clients"),  # special programs: not ages, not languages
        ]
    )
    assert mapped.ages == int(Age.ADULTS | Age.ADOLESCENTS)
    assert mapped.languages == int(Language.EN | Language.ES | Language.ASL | Language.ZH | Language.VI)
    assert "Adolescents" in mapped.unmapped


def test_every_locator_facility_is_taken_to_serve_english_speakers() -> None:
    assert map_services([]).languages == int(Language.EN)


def test_hours_are_our_extension() -> None:
    mapped = map_services([entry("HRS", "Evening hours; Weekend hours")])
    assert (mapped.evening_hours, mapped.weekend_hours) == (True, True)


def test_the_plain_entry_shape_works_too() -> None:
    mapped = map_services([{"category_code": "SET", "value": "Intensive outpatient treatment"}])
    assert mapped.services == int(Service.IOP)


def test_an_entry_without_a_value_text_is_an_error() -> None:
    with pytest.raises(ValueError, match="value text"):
        map_services([{"f2": "SET"}])


def test_codes_round_trip_and_unknown_codes_are_named() -> None:
    value = vocab.from_codes(vocab.Service, ["iop", " MOUD ", ""])
    assert value == int(Service.IOP | Service.MOUD)
    assert vocab.to_codes(vocab.Service, value) == ["iop", "moud"]
    with pytest.raises(ValueError, match="unknown service code\\(s\\) rehab, spa"):
        vocab.from_codes(vocab.Service, ["iop", "rehab", "spa"])


def test_every_attribute_has_a_label_in_its_own_family() -> None:
    from openiop.directory.models import LABELS, labels

    for family in vocab.FAMILIES.values():
        assert set(LABELS[family]) == set(vocab.members(family))
    assert [str(label) for label in labels(Payment, int(Payment.PRIVATE | Payment.FREE))] == [
        "Private insurance",
        "Free or no charge if you cannot pay",
    ]
