# SPDX-License-Identifier: AGPL-3.0-or-later
"""claims_build: ready charges grouped into claims, scrubbed, written as X12
that pyx12 accepts, dropped in the outbox; their charges become billed."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.claims.models import Claim, ClaimLine, ClaimStatus
from openiop.claims.services import BuildResult, ClaimsRefused, claims_build
from openiop.claims.tests.builders import (
    MON,
    ORG_NPI,
    authorize,
    billing_ready,
    make_patient,
    make_payer,
    per_diem,
    week_of_days,
)
from openiop.insurance.models import ClaimType, Payer, PayerKind, PayerService
from openiop.insurance.services import next_control_numbers
from openiop.sites.models import Site
from openiop.x12.validate import validate


@pytest.fixture
def site(north: Site) -> Site:
    return billing_ready(north)


def test_a_week_of_per_diem_days_becomes_one_interim_837i_that_pyx12_accepts(site: Site) -> None:
    payer = make_payer(site)
    episode = make_patient(site, payer)
    authorize(episode)
    charges = week_of_days(episode)

    result = claims_build(actor=None)

    assert len(result.files) == 1 and not result.stopped
    text = result.files[0].read_text()
    assert validate(text) == []
    claim = Claim.objects.get()
    assert (claim.status, claim.claim_type, claim.frequency, claim.patient_status) == ("built", "837I", "2", "30")
    assert (claim.statement_start, claim.statement_end, claim.total) == (MON, MON + dt.timedelta(days=2), 750)
    assert claim.file_name == result.files[0].name and claim.interchange_control_number
    assert "CLM*" + claim.patient_control_number + "*750***89:A:2" in text
    assert "REF*G1*AUTH" in text and "HI*ABK:F1020" in text and "NM1*71*1*" in text
    assert text.count("SV2*0906*HC:H0015*250*UN*1") == 3 and text.count("DTP*472*D8*") == 3
    assert {c.status for c in Charge.objects.filter(pk__in=[c.pk for c in charges])} == {ChargeStatus.BILLED}
    assert [line.line_control_number for line in claim.lines.all()] == [
        f"{claim.patient_control_number}-{n}" for n in (1, 2, 3)
    ]


def test_the_next_month_continues_the_interim_claims_and_nothing_is_billed_twice(site: Site) -> None:
    payer = make_payer(site)
    episode = make_patient(site, payer)
    authorize(episode, start_date=dt.date(2026, 2, 1))
    per_diem(episode, dt.date(2026, 2, 23))
    per_diem(episode, MON)

    result = claims_build(actor=None)

    assert [c.frequency for c in Claim.objects.order_by("statement_start")] == ["2", "3"]
    assert len(result.built) == 2
    assert claims_build(actor=None).built == []  # nothing ready is left


def test_medicare_claims_carry_condition_code_92_and_type_of_bill_13x(site: Site) -> None:
    payer = make_payer(site, "Medicare", PayerKind.MEDICARE, is_medicare=True, authorization_required=False)
    episode = make_patient(site, payer)
    week_of_days(episode)

    result = claims_build(actor=None)

    text = result.files[0].read_text()
    assert validate(text) == [] and "HI*BG:92" in text and ":13:A:2" not in text and "*13:A:2*" in text


def test_professional_charges_go_on_an_837p_with_place_of_service_57(site: Site) -> None:
    payer = make_payer(site, "Blue Cross", authorization_required=False)
    episode = make_patient(site, payer)
    per_diem(episode, MON, kind=ChargeKind.PROFESSIONAL, code="90837", revenue_code="", amount=180)
    # A video visit from home: its line names its own place (SV105) and carries modifier 95.
    professional = {"kind": ChargeKind.PROFESSIONAL, "revenue_code": "", "amount": 140}
    per_diem(episode, MON + dt.timedelta(days=1), code="90834", modifiers=["95"], place_of_service="10", **professional)

    result = claims_build(actor=None)
    assert not result.stopped, result.stopped[0].problems

    text = result.files[0].read_text()
    assert validate(text) == []
    assert "ST*837*0001*005010X222A1" in text and "*57:B:1*" in text and "SV1*HC:90837*180*UN*1***1" in text
    assert "SV1*HC:90834:95*140*UN*1*10**1" in text


def test_a_telehealth_charge_at_the_facility_s_place_is_stopped_by_the_scrubber(site: Site) -> None:
    payer = make_payer(site, "Blue Cross", authorization_required=False)
    episode = make_patient(site, payer)
    per_diem(episode, MON, kind=ChargeKind.PROFESSIONAL, code="90834", revenue_code="", modifiers=["93"], amount=140)

    result = claims_build(actor=None)

    assert result.files == [] and "is telehealth (modifier 93) but its place of service is 57" in " ".join(
        result.stopped[0].problems
    )


def test_a_payer_billing_per_diem_on_the_837p_gets_it_there(site: Site) -> None:
    payer = make_payer(site, "TRICARE East", PayerKind.TRICARE, authorization_required=False)
    PayerService.objects.create(
        payer=payer, level_of_care="2.1", claim_type=ClaimType.PROFESSIONAL, procedure_code="S9480"
    )
    episode = make_patient(site, payer)
    week_of_days(episode)

    result = claims_build(actor=None)

    assert Claim.objects.get().claim_type == "837P" and validate(result.files[0].read_text()) == []


def test_the_scrubber_stops_a_claim_and_the_others_still_go(site: Site) -> None:
    payer = make_payer(site)
    good = make_patient(site, payer)
    authorize(good)
    week_of_days(good)
    no_authorization = make_patient(site, payer)
    stopped_charges = week_of_days(no_authorization)

    result = claims_build(actor=None)

    assert len(result.built) == 1 and len(result.stopped) == 1
    stopped = result.stopped[0]
    assert stopped.status == ClaimStatus.SCRUBBER_REJECTED and "CARC 197" in " ".join(stopped.problems)
    assert stopped.patient_control_number not in result.files[0].read_text()
    assert {c.status for c in Charge.objects.filter(pk__in=[c.pk for c in stopped_charges])} == {ChargeStatus.READY}

    # Billing's sync links the charges to the authorization entered since.
    Charge.objects.filter(pk__in=[c.pk for c in stopped_charges]).update(authorization=authorize(no_authorization))
    again = claims_build(actor=None)
    assert len(again.built) == 1 and not Claim.objects.filter(status=ClaimStatus.SCRUBBER_REJECTED).exists()


def test_a_patient_without_an_address_is_stopped_with_the_writers_reason(site: Site) -> None:
    payer = make_payer(site, authorization_required=False)
    episode = make_patient(site, payer)
    episode.patient.street = ""
    episode.patient.save()
    week_of_days(episode)

    result = claims_build(actor=None)

    assert result.files == [] and "subscriber address: is required" in " ".join(result.stopped[0].problems)


def test_an_organization_without_a_valid_npi_builds_nothing(site: Site) -> None:
    payer = make_payer(site, authorization_required=False)
    week_of_days(make_patient(site, payer))
    site.organization.npi = "1234567890"
    site.organization.save()

    with pytest.raises(ClaimsRefused, match="fails the check digit"):
        claims_build(actor=None)
    assert not Claim.objects.exists()


def test_the_command_prints_each_files_path(site: Site) -> None:
    payer = make_payer(site, authorization_required=False)
    week_of_days(make_patient(site, payer))
    out = StringIO()

    call_command("claims_build", stdout=out)

    paths = [Path(line) for line in out.getvalue().splitlines() if line.endswith(".x12")]
    assert len(paths) == 1 and paths[0].is_file() and paths[0].parent.name == "outbox"


def test_the_command_says_why_nothing_was_built(site: Site) -> None:
    site.organization.npi = ""
    site.organization.save()
    payer = make_payer(site, authorization_required=False)
    week_of_days(make_patient(site, payer))

    with pytest.raises(CommandError, match="Enter the organization's NPI"):
        call_command("claims_build", stdout=StringIO())


def test_type_of_bill_and_place_of_service_come_from_the_payer(site: Site) -> None:
    payer = make_payer(
        site, "County CMHC Plan", authorization_required=False, type_of_bill_facility="76", place_of_service="53"
    )
    episode = make_patient(site, payer)
    week_of_days(episode)
    per_diem(episode, MON, kind=ChargeKind.PROFESSIONAL, code="90837", revenue_code="", amount=180)

    result = claims_build(actor=None)

    assert len(result.files) == 2 and not result.stopped, [c.problems for c in result.stopped]
    text = "".join(path.read_text() for path in result.files)
    assert "*76:A:2*" in text and "*53:B:1*" in text and "*89:A:" not in text and "*57:B:" not in text


def _build_queries(site: Site, payer: Payer, patients: int, weeks: int) -> tuple[int, int, BuildResult]:
    """Queries a build of PATIENTS' WEEKS of per-diem days and one visit each
    makes, apart from the audit log's inserts (counted separately)."""
    for _ in range(patients):
        episode = make_patient(site, payer)
        authorize(episode)
        for week in range(weeks):
            week_of_days(episode, MON - dt.timedelta(weeks=week))
        per_diem(episode, MON, kind=ChargeKind.PROFESSIONAL, code="90837", revenue_code="", amount=180)
    with CaptureQueriesContext(connection) as captured:
        result = claims_build(actor=None)
    audit = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    return len(captured.captured_queries) - len(audit), len(audit), result


def test_the_queries_of_a_build_do_not_grow_with_its_claims_or_lines(site: Site) -> None:
    payer = make_payer(site)
    next_control_numbers(sender_id=ORG_NPI)  # the sender's counter exists (its first use creates it)

    few, few_audited, first = _build_queries(site, payer, patients=1, weeks=1)
    more, more_audited, second = _build_queries(site, payer, patients=2, weeks=2)

    assert (len(first.built), len(second.built), len(second.files)) == (2, 4, 2)
    assert not first.stopped and not second.stopped
    assert ClaimLine.objects.filter(claim__in=second.built).count() == 2 * (6 + 1)
    assert more == few
    # The audit log: one event per claim built; per file, the file written
    # and the update of the sender's control number counter.
    assert (few_audited, more_audited) == (2 + 2 * 2, 4 + 2 * 2)
