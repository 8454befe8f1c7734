# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a list page names in its read event (openiop.audit.reads), without the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator

from openiop.admissions.models import Inquiry
from openiop.assessments.models import SafetyAlert
from openiop.audit.reads import log_list_read, shown_records
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


@dataclass
class Row:
    episode: Episode
    patient: Patient


def test_it_finds_patients_and_inquiries_in_lists_dicts_dataclasses_and_pages() -> None:
    context = {
        "alerts": [SafetyAlert(pk=1, patient_id=3)],
        "rows": [Row(Episode(pk=2, patient_id=4), Patient(pk=4))],
        "page": Paginator([Patient(pk=5), Patient(pk=6)], 1).get_page(2),
        "inquiries": (Inquiry(pk=7), Inquiry(pk=8, patient_id=9)),
        "site": Site(pk=1),
        "count": 12,
    }

    shown = shown_records(context)

    assert shown.patients == {3, 4, 6, 9}
    assert shown.inquiries == {7, 8}


def test_it_names_only_what_the_page_was_handed_not_what_records_lead_to() -> None:
    # A site is nobody's record, and nesting deeper than a page's context goes is not followed.
    assert not shown_records([Site(pk=1), [[[[[[Patient(pk=1)]]]]]]])


def test_a_list_that_shows_nobody_logs_nothing() -> None:
    assert log_list_read("patient_list", []) is None
    assert log_list_read("dashboard", [{"sessions": [Site(pk=1)]}]) is None
