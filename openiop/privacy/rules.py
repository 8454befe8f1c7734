# SPDX-License-Identifier: AGPL-3.0-or-later
"""Is a consent complete? The elements of 42 CFR 2.31, checked without a database.

``consent_problems`` returns every missing or contradictory element, keyed by
the field it concerns, so the form can show each beside its field and the
service can refuse to save an incomplete consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from openiop.privacy.gate import Recipient
from openiop.privacy.information import (
    ALL_EXCEPT_COUNSELING_NOTES,
    REQUIRED_STATEMENTS,
    TPO_PURPOSES,
    ConsentKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
    RepresentativeRelation,
    Signer,
    Statement,
)


@dataclass(frozen=True)
class ConsentDraft:
    kind: str
    discloser: str  # the program or organization that may disclose
    information: frozenset[str]  # InformationClass codes, or "all except counseling notes"
    recipients: tuple[Recipient, ...]  # named recipients (none for a TPO consent)
    purposes: frozenset[str]
    expiry_kind: str
    signed_on: dt.date | None
    signature_confirmed: bool  # the patient or representative signed the form
    statements: frozenset[str]  # codes of the statements the form carried
    today: dt.date
    expires_on: dt.date | None = None
    expiry_event: str = ""
    signer: str = Signer.PATIENT
    representative_name: str = ""
    representative_relation: str = ""


def _add(problems: dict[str, list[str]], field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _information(draft: ConsentDraft, problems: dict[str, list[str]]) -> None:
    known = {ALL_EXCEPT_COUNSELING_NOTES, *InformationClass.values}
    if not draft.information:
        _add(problems, "information", _("Describe the information that may be disclosed."))
        return
    unknown = sorted(draft.information - known)
    if unknown:
        _add(problems, "information", _("Unknown information classes: %(codes)s.") % {"codes": ", ".join(unknown)})
    counseling = InformationClass.COUNSELING_NOTES in draft.information
    if draft.kind == ConsentKind.COUNSELING_NOTES and draft.information != {InformationClass.COUNSELING_NOTES}:
        _add(
            problems,
            "information",
            _(
                "A counseling-notes consent covers SUD counseling notes only; record a separate consent for the "
                "rest of the record."
            ),
        )
    elif draft.kind != ConsentKind.COUNSELING_NOTES and counseling:
        _add(problems, "information", _("SUD counseling notes need their own consent (a counseling-notes consent)."))


def _recipients(draft: ConsentDraft, problems: dict[str, list[str]]) -> None:
    if draft.kind == ConsentKind.TPO:
        if draft.recipients:
            _add(
                problems,
                "recipients",
                _(
                    "A single TPO consent names its recipients as a class; record a consent to a named recipient "
                    "for a particular person or organization."
                ),
            )
        return
    if not draft.recipients:
        _add(problems, "recipients", _("Name at least one recipient (a person or an organization)."))
    for recipient in draft.recipients:
        if not recipient.named:
            _add(problems, "recipients", _("Each recipient needs a name or an organization."))
        if recipient.kind not in RecipientKind.values:
            _add(problems, "recipients", _("Say what kind of recipient %(who)s is.") % {"who": recipient or "?"})


def _purposes(draft: ConsentDraft, problems: dict[str, list[str]]) -> None:
    if not draft.purposes:
        _add(problems, "purposes", _("Give at least one purpose of the disclosure."))
        return
    unknown = sorted(draft.purposes - set(Purpose.values))
    if unknown:
        _add(problems, "purposes", _("Unknown purposes: %(codes)s.") % {"codes": ", ".join(unknown)})
    if draft.kind == ConsentKind.TPO and not draft.purposes <= TPO_PURPOSES:
        _add(problems, "purposes", _("A single TPO consent is for treatment, payment and health care operations only."))


def _expiry(draft: ConsentDraft, problems: dict[str, list[str]]) -> None:
    kind = draft.expiry_kind
    if kind not in ExpiryKind.values:
        _add(problems, "expiry_kind", _("Say when the consent expires (a date or an event)."))
        return
    if kind == ExpiryKind.NONE and draft.kind != ConsentKind.TPO:
        _add(problems, "expiry_kind", _("Only a single TPO consent may have no expiry; give a date or an event."))
    if kind == ExpiryKind.DATE and draft.expires_on is None:
        _add(problems, "expires_on", _("Give the date the consent expires."))
    if kind == ExpiryKind.EVENT and not draft.expiry_event.strip():
        _add(problems, "expiry_event", _("Describe the event on which the consent expires."))
    if kind == ExpiryKind.DATE and draft.expires_on and draft.signed_on and draft.expires_on < draft.signed_on:
        _add(problems, "expires_on", _("The consent would expire before it was signed; check both dates."))


def _signature(draft: ConsentDraft, problems: dict[str, list[str]]) -> None:
    if not draft.signature_confirmed:
        _add(problems, "signature_confirmed", _("A consent must be signed by the patient or a legal representative."))
    if draft.signed_on is None:
        _add(problems, "signed_on", _("Give the date the consent was signed."))
    elif draft.signed_on > draft.today:
        _add(problems, "signed_on", _("The date of signature is in the future."))
    if draft.signer not in Signer.values:
        _add(problems, "signer", _("Say who signed: the patient or a legal representative."))
    if draft.signer == Signer.REPRESENTATIVE:
        if not draft.representative_name.strip():
            _add(problems, "representative_name", _("Name the legal representative who signed."))
        if draft.representative_relation not in RepresentativeRelation.values:
            _add(
                problems,
                "representative_relation",
                _("Say how the representative may sign for the patient (parent, guardian, agent...)."),
            )


def consent_problems(draft: ConsentDraft) -> dict[str, list[str]]:
    """Every element of 42 CFR 2.31 the draft lacks, by field; empty when complete."""
    problems: dict[str, list[str]] = {}
    if draft.kind not in ConsentKind.values:
        _add(problems, "kind", _("Choose the kind of consent."))
        return problems
    if not draft.discloser.strip():
        _add(problems, "discloser", _("Name the program or organization that may disclose."))
    _information(draft, problems)
    _recipients(draft, problems)
    _purposes(draft, problems)
    _expiry(draft, problems)
    missing = [code for code in REQUIRED_STATEMENTS[ConsentKind(draft.kind)] if code not in draft.statements]
    for code in missing:
        _add(
            problems, "statements", _("The consent lacks the statement: %(label)s.") % {"label": Statement(code).label}
        )
    _signature(draft, problems)
    return problems
