# SPDX-License-Identifier: AGPL-3.0-or-later
"""The allergy list in one line for the banner. No database."""

from __future__ import annotations

import datetime as dt

from openiop.patients import allergies
from openiop.patients.allergies import Entry

DAY = dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)


def allergy(substance: str, severity: str = "unknown", reaction: str = "", **extra: object) -> Entry:
    label = {"severe": "Severe", "moderate": "Moderate", "mild": "Mild", "unknown": "Not known"}[severity]
    values: dict[str, object] = {
        "substance": substance,
        "reaction": reaction,
        "severity": severity,
        "severity_label": label,
        "no_known_allergies": False,
        "noted_at": DAY,
    }
    values.update(extra)
    return Entry(**values)  # type: ignore[arg-type]


def none_known(when: dt.datetime = DAY, **extra: object) -> Entry:
    return allergy("", no_known_allergies=True, noted_at=when, **extra)


def test_nothing_recorded_is_not_the_same_as_no_known_allergies() -> None:
    assert allergies.summarize([]).status == allergies.NOT_RECORDED
    assert allergies.summarize([]).text == "Allergies not recorded"
    assert allergies.summarize([none_known()]).status == allergies.NONE_KNOWN
    assert allergies.summarize([none_known()]).text == "No known allergies"


def test_allergies_are_listed_most_severe_first_with_reaction_and_severity() -> None:
    banner = allergies.summarize(
        [allergy("Latex", "mild", "rash"), allergy("Penicillin", "severe", "anaphylaxis"), allergy("Peanuts")]
    )

    assert banner.status == allergies.LISTED
    assert [entry.substance for entry in banner.allergies] == ["Penicillin", "Latex", "Peanuts"]
    assert banner.text == "Allergies: Penicillin (anaphylaxis, Severe); Latex (rash, Mild); Peanuts (Not known)"


def test_entries_entered_in_error_count_for_nothing() -> None:
    banner = allergies.summarize([allergy("Sulfa", "moderate", entered_in_error=True)])

    assert banner.status == allergies.NOT_RECORDED


def test_an_allergy_found_after_no_known_allergies_is_what_the_banner_shows() -> None:
    banner = allergies.summarize([none_known(DAY - dt.timedelta(days=30)), allergy("Codeine", "moderate", "vomiting")])

    assert banner.status == allergies.LISTED and banner.text.startswith("Allergies: Codeine")


def test_the_latest_no_known_allergies_statement_dates_the_banner() -> None:
    earlier = none_known(DAY - dt.timedelta(days=30))
    later = none_known(DAY)

    assert allergies.summarize([earlier, later]).none_known_noted_at == DAY
    withdrawn = none_known(DAY, entered_in_error=True)
    assert allergies.summarize([earlier, withdrawn]).none_known_noted_at == earlier.noted_at
