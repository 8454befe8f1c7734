# SPDX-License-Identifier: AGPL-3.0-or-later
"""The disclosure gate, exhaustively: every consent kind x recipient x purpose
x information x consent state x restriction x exception (plain tests)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from openiop.privacy.gate import (
    ConsentTerms,
    Decision,
    DisclosureRequest,
    Recipient,
    RestrictionTerms,
    decide,
    explain_scope,
)
from openiop.privacy.information import (
    RECORD_CLASSES,
    TPO_PURPOSES,
    TPO_RECIPIENT_KINDS,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
)

TODAY = dt.date(2026, 3, 5)
SIGNED = TODAY - dt.timedelta(days=60)

CLINIC = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Clinic")
PLAN = Recipient(RecipientKind.HEALTH_PLAN, "Blue Shield")
PROBATION = Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation", "J. Smith")
EMPLOYER = Recipient(RecipientKind.EMPLOYER, "Acme Logistics")
THERAPIST = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")
RECIPIENTS = [CLINIC, PLAN, PROBATION, EMPLOYER, THERAPIST]

PURPOSES = [Purpose.TREATMENT, Purpose.PAYMENT, Purpose.CRIMINAL_JUSTICE, Purpose.EMPLOYMENT]
INFORMATION = [
    frozenset({InformationClass.ATTENDANCE}),
    frozenset({InformationClass.DRUG_TESTS}),
    frozenset({InformationClass.ATTENDANCE, InformationClass.DRUG_TESTS}),
    frozenset({InformationClass.DIAGNOSES}),
    frozenset({InformationClass.COUNSELING_NOTES}),
]
STATES = ["active", "revoked", "expired", "not_signed_yet"]
COUNSELING = InformationClass.COUNSELING_NOTES


def consent(kind: str, state: str = "active", consent_id: int | None = None) -> ConsentTerms:
    """One consent of each kind, in the given state on TODAY."""
    signed = TODAY + dt.timedelta(days=3) if state == "not_signed_yet" else SIGNED
    dates: dict[str, dt.date | None] = {
        "revoked_on": TODAY - dt.timedelta(days=1) if state == "revoked" else None,
        "expires_on": TODAY - dt.timedelta(days=1) if state == "expired" else TODAY + dt.timedelta(days=90),
    }
    if kind == ConsentKind.TPO:
        return ConsentTerms(
            consent_id=consent_id or 1,
            kind=kind,
            purposes=TPO_PURPOSES,
            information=RECORD_CLASSES,
            signed_on=signed,
            expiry_kind=ExpiryKind.DATE,
            **dates,
        )
    if kind == ConsentKind.SPECIFIC:
        return ConsentTerms(
            consent_id=consent_id or 2,
            kind=kind,
            recipients=(Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation"),),
            purposes=frozenset({Purpose.CRIMINAL_JUSTICE}),
            information=frozenset({InformationClass.ATTENDANCE, InformationClass.DRUG_TESTS}),
            signed_on=signed,
            expiry_kind=ExpiryKind.DATE,
            **dates,
        )
    return ConsentTerms(
        consent_id=consent_id or 3,
        kind=kind,
        recipients=(Recipient(RecipientKind.TREATING_PROVIDER, "valley  psychiatry", "DR. AMES"),),
        purposes=frozenset({Purpose.TREATMENT}),
        information=frozenset({COUNSELING}),
        signed_on=signed,
        expiry_kind=ExpiryKind.DATE,
        **dates,
    )


def covers(kind: str, recipient: Recipient, purpose: str, information: frozenset[str]) -> bool:
    """The coverage of each kind, written out independently of the gate."""
    if kind == ConsentKind.TPO:
        return recipient.kind in TPO_RECIPIENT_KINDS and purpose in TPO_PURPOSES and COUNSELING not in information
    if kind == ConsentKind.SPECIFIC:
        return (
            recipient.organization == "Pima County Probation"
            and purpose == Purpose.CRIMINAL_JUSTICE
            and information <= {InformationClass.ATTENDANCE, InformationClass.DRUG_TESTS}
        )
    return recipient == THERAPIST and purpose == Purpose.TREATMENT and information == {COUNSELING}


def request(recipient: Recipient, purpose: str, information: frozenset[str], **extra: str) -> DisclosureRequest:
    return DisclosureRequest(recipient=recipient, purpose=purpose, information=information, on=TODAY, **extra)


KINDS = [None, ConsentKind.TPO, ConsentKind.SPECIFIC, ConsentKind.COUNSELING_NOTES]


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_one_consent_every_recipient_purpose_information_state_restriction_and_exception(kind: str | None) -> None:
    checked = 0
    for recipient, purpose, information, state, restricted, exception in itertools.product(
        RECIPIENTS, PURPOSES, INFORMATION, STATES, (False, True), ("", ExceptionKind.MEDICAL_EMERGENCY)
    ):
        consents = [consent(kind, state)] if kind else []
        restrictions = [RestrictionTerms(9, Recipient(recipient.kind, recipient.organization))] if restricted else []
        detail = {"exception": exception, "exception_detail": "Overdose in the waiting room"} if exception else {}

        decision = decide(request(recipient, purpose, information, **detail), consents, restrictions)

        if exception:
            expected = COUNSELING not in information and recipient.kind == RecipientKind.TREATING_PROVIDER
        else:
            expected = (
                bool(kind) and state == "active" and not restricted and covers(kind, recipient, purpose, information)
            )  # type: ignore[arg-type]
        case = (kind, recipient, purpose, sorted(information), state, restricted, exception)
        assert decision.allowed == expected, (case, decision.message)
        if decision.allowed:
            assert (decision.consent_id, decision.exception) == (
                (None, exception) if exception else (consents[0].consent_id, "")
            ), case
        else:
            assert decision.consent_id is None and decision.message, case
            if not exception:
                assert str(recipient) in decision.message, (case, decision.message)
            assert decision.restriction_ids == ((9,) if restricted and not exception else ()), case
        checked += 1
    assert checked == len(RECIPIENTS) * len(PURPOSES) * len(INFORMATION) * len(STATES) * 2 * 2


def test_all_three_consents_in_every_combination_of_states() -> None:
    for states, recipient, purpose, information in itertools.product(
        itertools.product(["active", "revoked", "expired"], repeat=3), RECIPIENTS, PURPOSES, INFORMATION
    ):
        kinds = [ConsentKind.TPO, ConsentKind.SPECIFIC, ConsentKind.COUNSELING_NOTES]
        consents = [consent(kind, state) for kind, state in zip(kinds, states, strict=True)]
        covering = {
            terms.consent_id
            for terms in consents
            if terms.state(TODAY) == "active" and covers(terms.kind, recipient, purpose, information)
        }

        decision = decide(request(recipient, purpose, information), consents)

        assert decision.allowed == bool(covering), (states, recipient, purpose, information, decision.message)
        if covering:
            assert decision.consent_id in covering
            if covering - {1}:  # a consent naming the recipient wins over the general TPO consent
                assert decision.consent_id != 1
        else:
            assert str(recipient) in decision.message


# --- What the refusal says ---------------------------------------------------


def refusal(decision: Decision) -> str:
    assert not decision.allowed
    return decision.message


def test_it_names_the_class_no_consent_covers() -> None:
    message = refusal(
        decide(
            request(PROBATION, Purpose.CRIMINAL_JUSTICE, frozenset({InformationClass.DIAGNOSES})),
            [consent(ConsentKind.SPECIFIC)],
        )
    )
    assert message == "No consent covers diagnoses for J. Smith, Pima County Probation."


def test_drug_test_results_for_probation_when_the_consent_covers_attendance_only() -> None:
    attendance_only = ConsentTerms(
        consent_id=5,
        kind=ConsentKind.SPECIFIC,
        recipients=(Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation"),),
        purposes=frozenset({Purpose.CRIMINAL_JUSTICE}),
        information=frozenset({InformationClass.ATTENDANCE}),
        signed_on=SIGNED,
        expiry_kind=ExpiryKind.END_OF_TREATMENT,
    )
    pima = Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation")
    info = frozenset({InformationClass.ATTENDANCE, InformationClass.DRUG_TESTS})

    assert refusal(decide(request(pima, Purpose.CRIMINAL_JUSTICE, info), [attendance_only])) == (
        "No consent covers drug-test results for Pima County Probation."
    )


def test_it_names_the_purpose_no_consent_covers() -> None:
    message = refusal(decide(request(PROBATION, Purpose.EMPLOYMENT, INFORMATION[0]), [consent(ConsentKind.SPECIFIC)]))
    assert message == "No consent covers employment or return to work for J. Smith, Pima County Probation."


def test_it_says_when_the_consent_was_revoked_or_expired() -> None:
    revoked = refusal(
        decide(request(PROBATION, Purpose.CRIMINAL_JUSTICE, INFORMATION[0]), [consent("specific", "revoked")])
    )
    expired = refusal(
        decide(request(PROBATION, Purpose.CRIMINAL_JUSTICE, INFORMATION[0]), [consent("specific", "expired")])
    )

    assert "was revoked on 2026-03-04" in revoked
    assert "expired on 2026-03-04" in expired


def test_a_recipient_no_consent_names() -> None:
    assert refusal(decide(request(EMPLOYER, Purpose.EMPLOYMENT, INFORMATION[0]), [consent("specific")])) == (
        "No consent names Acme Logistics as a recipient."
    )


def test_a_consent_naming_a_person_does_not_reach_a_colleague() -> None:
    colleague = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Baker")
    decision = decide(request(colleague, Purpose.TREATMENT, frozenset({COUNSELING})), [consent("counseling_notes")])
    assert "No SUD counseling-notes consent covers Dr. Baker, Valley Psychiatry" in refusal(decision)


def test_counseling_notes_go_on_their_own() -> None:
    mixed = frozenset({COUNSELING, InformationClass.ATTENDANCE})
    decision = decide(request(THERAPIST, Purpose.TREATMENT, mixed), [consent("tpo"), consent("counseling_notes")])
    assert "on their own" in refusal(decision)


def test_counseling_notes_are_never_disclosed_under_a_tpo_consent_or_an_exception() -> None:
    notes = frozenset({COUNSELING})
    assert "counseling-notes consent" in refusal(decide(request(CLINIC, Purpose.TREATMENT, notes), [consent("tpo")]))
    for kind in ExceptionKind.values:
        emergency = request(CLINIC, "", notes, exception=kind, exception_detail="details")
        assert "never disclosed" in refusal(decide(emergency, [consent("counseling_notes")]))


def test_a_revocation_counts_from_the_day_it_was_received() -> None:
    terms = ConsentTerms(
        consent_id=1,
        kind=ConsentKind.TPO,
        purposes=TPO_PURPOSES,
        information=RECORD_CLASSES,
        signed_on=SIGNED,
        expiry_kind=ExpiryKind.NONE,
        revoked_on=TODAY,
    )
    assert terms.state(TODAY - dt.timedelta(days=1)) == "active"
    assert terms.state(TODAY) == "revoked"


def test_end_of_treatment_and_event_expiry() -> None:
    ended = ConsentTerms(
        consent_id=1,
        kind=ConsentKind.TPO,
        purposes=TPO_PURPOSES,
        information=RECORD_CLASSES,
        signed_on=SIGNED,
        expiry_kind=ExpiryKind.END_OF_TREATMENT,
        treatment_ended_on=TODAY - dt.timedelta(days=2),
    )
    before_signing = ConsentTerms(**{**ended.__dict__, "treatment_ended_on": SIGNED - dt.timedelta(days=300)})
    event = ConsentTerms(**{**ended.__dict__, "expiry_kind": ExpiryKind.EVENT, "expiry_event_on": TODAY})

    assert (ended.state(TODAY - dt.timedelta(days=2)), ended.state(TODAY)) == ("active", "expired")
    assert before_signing.state(TODAY) == "active"  # an earlier stay's discharge does not end it
    assert (event.state(TODAY), event.state(TODAY + dt.timedelta(days=1))) == ("active", "expired")


def test_an_out_of_pocket_restriction_refuses_the_health_plan_but_not_the_clinic() -> None:
    restriction = RestrictionTerms(4, Recipient(RecipientKind.HEALTH_PLAN, "Blue Shield"), out_of_pocket=True)
    info = frozenset({InformationClass.ATTENDANCE})

    to_plan = decide(request(PLAN, Purpose.PAYMENT, info), [consent("tpo")], [restriction])
    to_clinic = decide(request(CLINIC, Purpose.TREATMENT, info), [consent("tpo")], [restriction])

    assert "paid for these services in full" in refusal(to_plan) and to_plan.restriction_ids == (4,)
    assert to_clinic.allowed and to_clinic.consent_id == 1


def test_a_restriction_on_some_classes_leaves_the_others() -> None:
    restriction = RestrictionTerms(
        4, Recipient(RecipientKind.TREATING_PROVIDER, "Valley Clinic"), frozenset({"drug_tests"})
    )
    assert not decide(request(CLINIC, Purpose.TREATMENT, INFORMATION[2]), [consent("tpo")], [restriction]).allowed
    assert decide(request(CLINIC, Purpose.TREATMENT, INFORMATION[0]), [consent("tpo")], [restriction]).allowed


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        (ExceptionKind.MEDICAL_EMERGENCY, "nature of the medical emergency"),
        (ExceptionKind.AUDIT_EVALUATION, "audit or evaluation"),
        (ExceptionKind.RESEARCH, "research protocol"),
        (ExceptionKind.COURT_ORDER, "court order's reference"),
    ],
)
def test_each_exception_needs_its_particulars(kind: str, needs: str) -> None:
    assert needs in refusal(decide(request(CLINIC, "", INFORMATION[0], exception=kind)))
    allowed = decide(
        request(CLINIC, "", INFORMATION[0], exception=kind, exception_detail="Docket 24-CR-118, 2026-03-01")
    )
    assert allowed.allowed and allowed.exception == kind and allowed.consent_id is None


def test_an_emergency_disclosure_goes_only_to_medical_personnel() -> None:
    decision = decide(
        request(EMPLOYER, "", INFORMATION[0], exception=ExceptionKind.MEDICAL_EMERGENCY, exception_detail="Seizure")
    )
    assert "medical personnel" in refusal(decision)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"information": frozenset()}, "Say which information"),
        ({"information": frozenset({"dreams"})}, "Unknown information classes: dreams"),
        ({"recipient": Recipient(RecipientKind.EMPLOYER, " ")}, "Name the recipient"),
        ({"recipient": Recipient("martian", "Mars Inc")}, "what kind of recipient"),
        ({"purpose": ""}, "Say why"),
        ({"exception": "because"}, "Unknown exception"),
    ],
)
def test_a_malformed_request_is_refused_with_a_message(bad: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "recipient": CLINIC,
        "purpose": Purpose.TREATMENT,
        "information": INFORMATION[0],
        "on": TODAY,
    }
    fields.update(bad)
    assert message in refusal(decide(DisclosureRequest(**fields), [consent("tpo")]))  # type: ignore[arg-type]


def test_the_scope_explanation_says_what_to_whom_why_and_until_when() -> None:
    specific = explain_scope(consent("specific"))
    tpo = explain_scope(ConsentTerms(**{**consent("tpo").__dict__, "expiry_kind": ExpiryKind.NONE}))

    assert specific == (
        "Disclosed under the patient's written consent signed on 2026-01-04: the program may disclose attendance "
        "and dates of service, drug-test results to Pima County Probation for court, probation or parole "
        "supervision, until 2026-06-03. The patient may revoke it in writing."
    )
    assert "the patient's treating providers, health plans" in tpo and "with no expiry date" in tpo
