# SPDX-License-Identifier: AGPL-3.0-or-later
"""999, 277CA and 835 files read through the clearinghouse import: claims
acknowledged or rejected with the reason, remittances posted (paid, partially
paid, denied, reversed, patient responsibility), unknown claims held, bad
files refused whole, and the same 835 twice changing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from openiop.claims.models import Claim, ClaimStatus, Payment, Posting, UnmatchedRemittance
from openiop.claims.services_answers import import_835
from openiop.claims.tests.builders import billing_ready, make_patient, make_payer, sent_claim
from openiop.insurance.services_eligibility import AnswerRefused, clearinghouse_file_import
from openiop.patients.models import Episode
from openiop.sites.models import Site

SAMPLES = Path(__file__).resolve().parents[2] / "x12" / "samples"
JAN = dt.date(2026, 1, 1)


def days(first: int, count: int) -> list[dt.date]:
    return [JAN + dt.timedelta(days=first - 1 + n) for n in range(count)]


def read(name: str) -> str:
    return (SAMPLES / name).read_text()


def load(name: str) -> tuple[bool, str]:
    outcome = clearinghouse_file_import(name, read(name))
    return outcome.accepted, outcome.message


@pytest.fixture
def episode(north: Site) -> Episode:
    site = billing_ready(north)
    return make_patient(site, make_payer(site, payer_id="SHP01"))


def refreshed(claim: Claim) -> Claim:
    claim.refresh_from_db()
    return claim


def test_an_835_paid_in_full_pays_the_claim_and_each_line(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))

    accepted, message = load("835_paid_in_full.x12")

    assert accepted, message
    claim = refreshed(claim)
    assert (claim.status, claim.paid, claim.written_off, claim.patient_responsibility) == ("paid", 750, 0, 0)
    assert claim.payer_claim_control_number == "SHP26010500001"
    assert [line.paid for line in claim.lines.all()] == [250, 250, 250]
    payment = Payment.objects.get()
    assert (payment.amount, payment.trace_number, payment.payer and payment.payer.payer_id) == (
        750,
        "EFT20260115001",
        "SHP01",
    )


def test_a_partial_payment_writes_off_co_and_moves_pr_to_the_patient(episode: Episode) -> None:
    institutional = sent_claim(episode, "IOP1002", days(12, 3))
    professional = sent_claim(episode, "PRO2001", days(13, 1), amount="180.00", professional=True)

    assert load("835_partially_paid.x12")[0]

    institutional, professional = refreshed(institutional), refreshed(professional)
    assert (institutional.status, institutional.paid) == (ClaimStatus.PARTIALLY_PAID, 435)
    assert (institutional.written_off, institutional.patient_responsibility) == (150, 165)
    assert [line.paid for line in institutional.lines.all()] == [100, 160, 175]
    assert (professional.status, professional.paid, professional.written_off, professional.patient_responsibility) == (
        ClaimStatus.PARTIALLY_PAID,
        120,
        30,
        30,
    )
    groups = {a["group"] for p in Posting.objects.filter(claim=institutional) for a in p.adjustments}
    assert groups == {"CO", "PR"}


def test_a_denial_goes_to_the_denials_queue_with_its_carc(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1003", days(20, 3))

    assert load("835_denied.x12")[0]

    claim = refreshed(claim)
    assert (claim.status, claim.paid, claim.problems) == (ClaimStatus.DENIED, 0, ["CO-197"])


def test_a_reversal_undoes_the_payment_it_reverses_and_the_correction_is_posted(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))
    other = sent_claim(episode, "IOP1004", days(26, 2))
    assert load("835_paid_in_full.x12")[0]

    assert load("835_reversal_and_correction.x12")[0]

    claim, other = refreshed(claim), refreshed(other)
    assert (claim.status, claim.paid, claim.written_off) == (ClaimStatus.PAID, 700, 50)
    assert [line.paid for line in claim.lines.all()] == [250, 250, 200]
    assert Posting.objects.filter(claim=claim, is_reversal=True, line=None).get().paid == -750
    assert (other.status, other.paid) == (ClaimStatus.PAID, 500)


def test_a_claim_we_never_sent_is_held_for_review_and_the_rest_posted(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))
    assert load("835_paid_in_full.x12")[0]

    accepted, message = load("835_reversal_and_correction.x12")

    assert accepted and "1 held for review" in message
    held = UnmatchedRemittance.objects.get()
    assert (held.patient_control_number, held.paid, held.patient_name) == ("IOP1004", 500, "NGUYEN, TAYLOR")
    assert refreshed(claim).paid == 700


def test_the_same_835_again_changes_nothing_even_under_another_name(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))
    assert load("835_paid_in_full.x12")[0]

    again = clearinghouse_file_import("835_paid_in_full.x12", read("835_paid_in_full.x12"))
    renamed = import_835("copy-of-the-same.x12", read("835_paid_in_full.x12").replace("~\n", "~\r\n"))

    assert again.accepted and "read before" in again.message
    assert "posted before" in renamed
    assert (Payment.objects.count(), Posting.objects.count(), refreshed(claim).paid) == (1, 4, 750)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (read("835_unbalanced.x12"), "refused whole"),
        (read("835_paid_in_full.x12")[:600], "refused whole"),
    ],
    ids=["unbalanced", "truncated"],
)
def test_an_unbalanced_or_truncated_835_is_refused_whole(episode: Episode, text: str, words: str) -> None:
    claim = sent_claim(episode, "IOP1006", days(5, 3))

    outcome = clearinghouse_file_import("bad.x12", text)

    assert not outcome.accepted and words in outcome.message
    assert not Payment.objects.exists() and refreshed(claim).status == ClaimStatus.SENT


def test_a_999_accepts_the_claims_of_the_group_we_sent(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))
    Claim.objects.filter(pk=claim.pk).update(group_control_number=17, status=ClaimStatus.BUILT)

    assert load("999_accepted.x12")[0]

    assert refreshed(claim).status == ClaimStatus.SENT


def test_a_999_rejection_puts_the_reason_on_the_claim(episode: Episode) -> None:
    claim = sent_claim(episode, "PRO2002", days(5, 1))
    Claim.objects.filter(pk=claim.pk).update(group_control_number=18)

    assert load("999_rejected.x12")[0]

    claim = refreshed(claim)
    assert claim.status == ClaimStatus.REJECTED and claim.problems[0].startswith("999: ")


def test_a_999_for_a_file_we_never_sent_changes_nothing(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1001", days(5, 3))

    accepted, message = load("999_accepted.x12")

    assert not accepted and "group 17, which OpenIOP never sent" in message
    assert refreshed(claim).status == ClaimStatus.SENT


def test_a_277ca_accepts_one_claim_and_rejects_others_with_the_payers_words(episode: Episode) -> None:
    accepted_claim = sent_claim(episode, "IOP1007", days(5, 3))
    rejected = sent_claim(episode, "IOP1008", days(12, 3))
    professional = sent_claim(episode, "PRO2003", days(13, 1), amount="180.00", professional=True)

    assert load("277ca_accepted.x12")[0] and load("277ca_rejected.x12")[0]

    accepted_claim = refreshed(accepted_claim)
    assert (accepted_claim.status, accepted_claim.payer_claim_control_number) == ("accepted", "SHP26021600009")
    assert refreshed(rejected).status == ClaimStatus.REJECTED
    assert "MEMBER ID NOT FOUND" in refreshed(rejected).problems[0]
    assert "National Provider Identifier" in refreshed(professional).problems[0]


def test_a_277ca_naming_a_claim_we_never_sent_changes_nothing(episode: Episode) -> None:
    rejected = sent_claim(episode, "IOP1008", days(12, 3))

    accepted, message = load("277ca_rejected.x12")

    assert not accepted and "PRO2003" in message
    assert refreshed(rejected).status == ClaimStatus.SENT


def test_the_import_command_reads_an_835(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1003", days(20, 3))
    out = StringIO()

    call_command("clearinghouse_import", str(SAMPLES / "835_denied.x12"), stdout=out)

    assert "835 1 claim payment(s) posted." in out.getvalue() and refreshed(claim).status == "denied"


@pytest.mark.django_db
def test_an_importer_refusal_is_a_validation_error_the_dispatcher_reports() -> None:
    with pytest.raises(AnswerRefused):
        import_835("x.x12", "not x12 at all")
    assert Decimal(0) == sum((p.amount for p in Payment.objects.all()), Decimal(0))


def test_the_inbox_job_reads_claim_answers_and_keeps_polling_while_claims_wait(
    episode: Episode, _clearinghouse_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from openiop.claims.jobs import import_claim_answers

    paid = sent_claim(episode, "IOP1001", days(5, 3))
    waiting = sent_claim(episode, "IOP1009", days(12, 3))
    inbox = _clearinghouse_in_tmp / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "era.835").write_text(read("835_paid_in_full.x12"))

    with django_capture_on_commit_callbacks(execute=True):
        assert import_claim_answers.call() == 1

    assert refreshed(paid).status == ClaimStatus.PAID and refreshed(waiting).status == ClaimStatus.SENT
    assert not (inbox / "era.835").exists() and (_clearinghouse_in_tmp / "processed" / "era.835").exists()
    queued = DBTaskResult.objects.filter(task_path=import_claim_answers.module_path, status=TaskResultStatus.READY)
    assert queued.count() == 1
