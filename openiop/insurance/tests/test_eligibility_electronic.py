# SPDX-License-Identifier: AGPL-3.0-or-later
"""Electronic eligibility: a 270 through the Part 2 gate to the clearinghouse
outbox, and C2's hand-written 271 samples read back into the same check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from openiop.accounts.models import User
from openiop.insurance import services, services_eligibility
from openiop.insurance.clearinghouse import FileDropClearinghouse, clearinghouse
from openiop.insurance.models import Coverage, EligibilityCheck, Payer, SubscriberRelation
from openiop.privacy.information import Purpose
from openiop.privacy.models import Disclosure
from openiop.privacy.services import DisclosureRefused

SAMPLES = Path(__file__).resolve().parents[2] / "x12" / "samples"


def sample(name: str, *, trace: str, sample_trace: str) -> str:
    return (SAMPLES / name).read_text().replace(sample_trace, trace)


def outbox() -> list[Path]:
    root = Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "outbox"
    return sorted(root.iterdir()) if root.is_dir() else []


def drop_in_inbox(name: str, text: str) -> None:
    inbox = Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text)


def test_without_a_consent_covering_the_payer_the_gate_refuses_and_nothing_is_sent(
    member: Coverage, biller: User, provider: None
) -> None:
    with pytest.raises(DisclosureRefused) as refusal:
        services.eligibility_check_send(actor=biller, coverage=member)
    assert "consent" in str(refusal.value).lower()
    assert outbox() == [] and not EligibilityCheck.objects.exists()


def test_without_the_organizations_npi_nothing_is_sent(member: Coverage, biller: User, tpo_consent: None) -> None:
    with pytest.raises(ValidationError, match="organization's NPI"):
        services.eligibility_check_send(actor=biller, coverage=member)
    assert outbox() == [] and not Disclosure.objects.exists()


def test_a_270_goes_to_the_outbox_as_a_recorded_disclosure_and_waits(
    member: Coverage, biller: User, provider: None, tpo_consent: None
) -> None:
    check = services.eligibility_check_send(actor=biller, coverage=member)
    [written] = outbox()
    text = written.read_text()
    assert check.status == "pending" and check.request_file == written.name
    assert "ST*270*" in text and f"TRN*1*{check.trace_number}*" in text and "SHP100200300" in text
    assert "EQ*AI^MH" in text or ("EQ*AI" in text and "EQ*MH" in text)
    disclosure = Disclosure.objects.get()
    assert disclosure.patient_id == member.patient_id and disclosure.purpose == Purpose.PAYMENT
    second = services.eligibility_check_send(actor=biller, coverage=member)
    assert second.reference != check.reference  # a new interchange control number each time


def test_a_dependents_270_names_the_subscriber_and_the_patient(
    coverage: Coverage, biller: User, provider: None, tpo_consent: None
) -> None:
    dependent = services.coverage_update(
        actor=biller,
        coverage=coverage,
        expected_version=1,
        relation_to_subscriber=SubscriberRelation.CHILD,
        subscriber_first_name="Rosa",
        subscriber_last_name="Diaz",
        subscriber_birth_date=dt.date(1970, 1, 2),
    )
    services.eligibility_check_send(actor=biller, coverage=dependent)
    text = outbox()[0].read_text()
    assert "NM1*IL*1*DIAZ*ROSA" in text.upper() and "NM1*03*1*DIAZ*TOM" in text.upper()


@pytest.fixture
def pending(member: Coverage, biller: User, provider: None, tpo_consent: None) -> EligibilityCheck:
    return services.eligibility_check_send(actor=biller, coverage=member)


def test_the_active_271_fills_the_check_and_copies_the_benefits_once(pending: EligibilityCheck) -> None:
    drop_in_inbox("answer.271", sample("271_active.x12", trace=pending.trace_number, sample_trace="OPENIOP-EC-1001"))
    [outcome] = services.eligibility_inbox_import()
    assert outcome.accepted and outcome.kind == "271"
    pending.refresh_from_db()
    assert (pending.status, pending.copay_per_day, pending.coinsurance_percent) == ("active", 25, 20)
    assert (pending.deductible, pending.deductible_remaining, pending.out_of_pocket_max) == (1000, 400, 3000)
    assert pending.authorization_required == "yes" and pending.response_file == "answer.271"
    coverage = Coverage.objects.get(pk=pending.coverage_id)
    assert (coverage.copay_per_day, coverage.deductible_remaining) == (Decimal(25), Decimal(400))
    processed = Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "processed" / "answer.271"
    assert processed.exists()
    # The same answer again (a resend by the clearinghouse) changes nothing.
    drop_in_inbox("answer-again.271", processed.read_text())
    [again] = services.eligibility_inbox_import()
    assert "read before" in again.message
    assert Coverage.objects.get(pk=coverage.pk).version == coverage.version


def test_the_rejected_271s_say_why(pending: EligibilityCheck, member: Coverage, biller: User) -> None:
    text = sample("271_rejected_payer.x12", trace=pending.trace_number, sample_trace="OPENIOP-EC-1004")
    outcome = services.clearinghouse_file_import("payer-busy.271", text)
    assert outcome.accepted
    pending.refresh_from_db()
    assert pending.status == "rejected" and "cannot respond" in pending.rejection_reason
    member.refresh_from_db()
    assert member.copay_per_day is None


def test_the_inactive_271_marks_a_dependents_coverage_not_active(
    coverage: Coverage, biller: User, provider: None, tpo_consent: None
) -> None:
    dependent = services.coverage_update(
        actor=biller,
        coverage=coverage,
        expected_version=1,
        member_id="SHP700800000",
        relation_to_subscriber=SubscriberRelation.CHILD,
        subscriber_first_name="Jordan",
        subscriber_last_name="Nguyen",
        subscriber_birth_date=dt.date(1975, 5, 5),
    )
    check = services.eligibility_check_send(actor=biller, coverage=dependent)
    text = sample("271_inactive.x12", trace=check.trace_number, sample_trace="OPENIOP-EC-1002")
    assert services.clearinghouse_file_import("inactive.271", text).accepted
    check.refresh_from_db()
    assert check.status == "inactive"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ISA*00*garbage~ST*271*0001~", "not a readable 271"),
        (None, "a request we did not send"),
    ],
)
def test_a_malformed_or_unknown_271_is_refused_and_changes_nothing(
    pending: EligibilityCheck, text: str | None, message: str
) -> None:
    text = text or (SAMPLES / "271_active.x12").read_text()  # trace OPENIOP-EC-1001: not ours
    drop_in_inbox("bad.271", text)
    [outcome] = services.eligibility_inbox_import()
    assert not outcome.accepted and message in outcome.message
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not (Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "inbox" / "bad.271").exists()


def test_a_271_about_someone_else_is_refused(pending: EligibilityCheck) -> None:
    # Sam Okafor's answer, carrying our trace number: the member ID does not match.
    text = sample("271_rejected_member.x12", trace=pending.trace_number, sample_trace="OPENIOP-EC-1003")
    outcome = services.clearinghouse_file_import("okafor.271", text)
    assert not outcome.accepted and "SHP4005006" in outcome.message
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_file_kind_without_a_reader_stays_in_the_inbox(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The claims app reads 835s; take its reader away to see what happens to a kind nobody reads.
    monkeypatch.delitem(services_eligibility.IMPORTERS, "835", raising=False)
    drop_in_inbox("remit.835", (SAMPLES / "835_paid_in_full.x12").read_text())
    [outcome] = services.eligibility_inbox_import()
    assert outcome.kind == "835" and not outcome.accepted
    assert [f.name for f in clearinghouse().receive()] == ["remit.835"]


def test_the_command_reads_files_and_fails_on_a_refusal(pending: EligibilityCheck, tmp_path: Path) -> None:
    good = tmp_path / "good.271"
    good.write_text(sample("271_active.x12", trace=pending.trace_number, sample_trace="OPENIOP-EC-1001"))
    call_command("clearinghouse_import", str(good))
    pending.refresh_from_db()
    assert pending.status == "active"
    bad = tmp_path / "bad.271"
    bad.write_text("not x12 at all")
    with pytest.raises(CommandError, match="not read"):
        call_command("clearinghouse_import", str(bad))


def test_the_file_drop_writes_whole_files_and_keeps_what_it_read(tmp_path: Path) -> None:
    drop = FileDropClearinghouse(tmp_path)
    path = drop.send("270 for/../someone.x12", "ISA*...~")
    assert path.parent == tmp_path / "outbox" and path.name == "270-for-..-someone.x12".replace("/", "-")
    assert not list((tmp_path / "outbox").glob(".*"))
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.271").write_text("x")
    [incoming] = drop.receive()
    drop.archive(incoming)
    assert (tmp_path / "processed" / "a.271").read_text() == "x" and drop.receive() == []


def test_a_payer_id_typed_in_any_case_matches_for_the_carry_over(payer: Payer) -> None:
    assert services._matching_payer(payer.organization_id, "bs001") == payer
