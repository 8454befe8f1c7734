# SPDX-License-Identifier: AGPL-3.0-or-later
"""The disclosure gate: may this information go to this recipient, and why?

A pure decision over plain values (no database), so every combination of
consent kind, recipient, purpose, information class and consent state can be
tested exhaustively. ``services.disclose`` loads the patient's consents and
restrictions into these shapes, asks ``decide`` and records the answer.

The rules, in order:
1. A request names what, to whom and why; SUD counseling notes go alone
   (their consent cannot be combined with any other).
2. A disclosure under a Part 2 exception (medical emergency, audit or
   evaluation, research, court order) needs no consent but its particulars,
   and never includes counseling notes.
3. A restriction the program granted (42 CFR 2.26) refuses what it covers,
   whatever consent there is.
4. Otherwise one consent, active on the day (signed, not revoked, not
   expired), must cover the recipient, the purpose and every class of
   information. A single TPO consent covers the class of treating providers,
   health plans, payers and people helping to operate the program, for
   treatment, payment and operations, and never counseling notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiop.privacy.information import (
    TPO_RECIPIENT_KINDS,
    TPO_RECIPIENTS_THIRD_PERSON,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
    information_labels,
    lower_first,
)

COUNSELING = InformationClass.COUNSELING_NOTES.value


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Recipient:
    """A person or organization that receives records; ``kind`` is a RecipientKind."""

    kind: str
    organization: str = ""
    name: str = ""

    def __str__(self) -> str:
        if self.name and self.organization:
            return f"{self.name}, {self.organization}"
        return self.organization or self.name

    @property
    def named(self) -> bool:
        return bool(self.organization.strip() or self.name.strip())

    def includes(self, other: Recipient) -> bool:
        """Whether a consent or restriction naming SELF reaches OTHER: the same
        organization (anyone there, unless a person is named) and the same
        person when one is named. A kind without a name means everyone of it."""
        if not self.named:
            return self.kind == other.kind
        if self.organization.strip() and _norm(self.organization) != _norm(other.organization):
            return False
        return not self.name.strip() or _norm(self.name) == _norm(other.name)


@dataclass(frozen=True)
class ConsentTerms:
    consent_id: int
    kind: str
    purposes: frozenset[str]
    information: frozenset[str]  # expanded (no "all except counseling notes")
    signed_on: dt.date
    expiry_kind: str
    recipients: tuple[Recipient, ...] = ()  # named; a TPO consent names a class instead
    expires_on: dt.date | None = None
    treatment_ended_on: dt.date | None = None  # for "end of treatment"
    expiry_event_on: dt.date | None = None  # when the named event was recorded as having happened
    revoked_on: dt.date | None = None

    def last_valid_day(self) -> dt.date | None:
        """The last day the consent allows disclosures by its expiry (None: no end yet)."""
        if self.expiry_kind == ExpiryKind.DATE:
            return self.expires_on
        if self.expiry_kind == ExpiryKind.END_OF_TREATMENT:
            ended = self.treatment_ended_on
            return ended if ended is not None and ended >= self.signed_on else None
        if self.expiry_kind == ExpiryKind.EVENT:
            return self.expiry_event_on
        return None

    def state(self, on: dt.date) -> str:
        """ "active", "not_signed_yet", "revoked" or "expired" on day ON. A
        revocation counts from the day it was received."""
        if on < self.signed_on:
            return "not_signed_yet"
        if self.revoked_on is not None and on >= self.revoked_on:
            return "revoked"
        last = self.last_valid_day()
        if last is not None and on > last:
            return "expired"
        return "active"

    def reaches(self, recipient: Recipient) -> bool:
        if self.kind == ConsentKind.TPO:
            return recipient.kind in TPO_RECIPIENT_KINDS
        return any(named.includes(recipient) for named in self.recipients)

    def covers(self, recipient: Recipient, purpose: str, information: frozenset[str]) -> bool:
        if COUNSELING in information and self.kind != ConsentKind.COUNSELING_NOTES:
            return False
        return self.reaches(recipient) and purpose in self.purposes and information <= self.information


@dataclass(frozen=True)
class RestrictionTerms:
    """A restriction the program granted (or must honour) under 42 CFR 2.26."""

    restriction_id: int
    recipient: Recipient
    information: frozenset[str] = frozenset()  # empty: everything
    out_of_pocket: bool = False

    def applies(self, recipient: Recipient, information: frozenset[str]) -> bool:
        return self.recipient.includes(recipient) and (not self.information or bool(self.information & information))


@dataclass(frozen=True)
class DisclosureRequest:
    recipient: Recipient
    purpose: str
    information: frozenset[str]
    on: dt.date
    exception: str = ""  # an ExceptionKind, or "" for a disclosure with consent
    exception_detail: str = ""  # the emergency's nature, the court order's reference, ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str
    consent_id: int | None = None
    exception: str = ""
    restriction_ids: tuple[int, ...] = field(default=())


def _refuse(message: str, *, restrictions: tuple[int, ...] = ()) -> Decision:
    return Decision(allowed=False, message=message, restriction_ids=restrictions)


EXCEPTION_DETAIL_MISSING = {
    ExceptionKind.MEDICAL_EMERGENCY: gettext_lazy("Describe the nature of the medical emergency."),
    ExceptionKind.AUDIT_EVALUATION: gettext_lazy("Name the audit or evaluation and who performs it."),
    ExceptionKind.RESEARCH: gettext_lazy("Name the research protocol and its approval (IRB or privacy board)."),
    ExceptionKind.COURT_ORDER: gettext_lazy("Give the court order's reference (court, case number, date)."),
}


def _check_request(request: DisclosureRequest) -> str:
    """The first thing missing from the request itself, or ""."""
    unknown = sorted(request.information - set(InformationClass.values))
    if not request.information:
        return _("Say which information is to be disclosed.")
    if unknown:
        return _("Unknown information classes: %(codes)s.") % {"codes": ", ".join(unknown)}
    if not request.recipient.named:
        return _("Name the recipient (a person or an organization).")
    if request.recipient.kind not in RecipientKind.values:
        return _("Say what kind of recipient %(recipient)s is.") % {"recipient": request.recipient}
    if not request.exception and request.purpose not in Purpose.values:
        return _("Say why the information is disclosed (the purpose).")
    if COUNSELING in request.information and request.information != {COUNSELING}:
        return _(
            "Disclose SUD counseling notes on their own: their consent cannot be combined with consent to any "
            "other record."
        )
    return ""


def _decide_exception(request: DisclosureRequest) -> Decision:
    kind = request.exception
    if kind not in ExceptionKind.values:
        return _refuse(_("Unknown exception: %(kind)s.") % {"kind": kind})
    if COUNSELING in request.information:
        return _refuse(
            _("SUD counseling notes are never disclosed without a counseling-notes consent naming %(recipient)s.")
            % {"recipient": request.recipient}
        )
    if not request.exception_detail.strip():
        return _refuse(str(EXCEPTION_DETAIL_MISSING[ExceptionKind(kind)]))
    if kind == ExceptionKind.MEDICAL_EMERGENCY and request.recipient.kind != RecipientKind.TREATING_PROVIDER:
        return _refuse(_("In a medical emergency, records go only to medical personnel treating the patient."))
    return Decision(allowed=True, message=str(ExceptionKind(kind).label), exception=kind)


def _missing_message(request: DisclosureRequest, consents: Sequence[ConsentTerms]) -> str:
    """Say what is missing, as precisely as the consents on file allow."""
    recipient, information = request.recipient, request.information
    if COUNSELING in information:
        consents = [terms for terms in consents if terms.kind == ConsentKind.COUNSELING_NOTES]
        if not any(terms.reaches(recipient) and terms.state(request.on) == "active" for terms in consents):
            return _(
                "No SUD counseling-notes consent covers %(recipient)s; "
                "counseling notes are never disclosed without one."
            ) % {"recipient": recipient}
    reaching = [terms for terms in consents if terms.reaches(recipient)]
    active = [terms for terms in reaching if terms.state(request.on) == "active"]
    if not active:
        ended = sorted(
            (terms for terms in reaching if terms.state(request.on) in {"revoked", "expired"}),
            key=lambda terms: terms.signed_on,
        )
        if ended:
            latest = ended[-1]
            if latest.state(request.on) == "revoked":
                return _(
                    "The consent covering %(recipient)s was revoked on %(date)s; no other consent covers them."
                ) % {
                    "recipient": recipient,
                    "date": latest.revoked_on,
                }
            return _("The consent covering %(recipient)s expired on %(date)s; no other consent covers them.") % {
                "recipient": recipient,
                "date": latest.last_valid_day(),
            }
        return _("No consent names %(recipient)s as a recipient.") % {"recipient": recipient}
    for_purpose = [terms for terms in active if request.purpose in terms.purposes]
    if not for_purpose:
        return _("No consent covers %(purpose)s for %(recipient)s.") % {
            "purpose": lower_first(str(Purpose(request.purpose).label)),
            "recipient": recipient,
        }
    missing = min((information - terms.information for terms in for_purpose), key=len)
    return _("No consent covers %(information)s for %(recipient)s.") % {
        "information": information_labels(missing, lower=True),
        "recipient": recipient,
    }


def decide(
    request: DisclosureRequest,
    consents: Sequence[ConsentTerms] = (),
    restrictions: Sequence[RestrictionTerms] = (),
) -> Decision:
    """Allow the disclosure (naming the consent or the exception) or refuse it,
    saying what is missing."""
    problem = _check_request(request)
    if problem:
        return _refuse(problem)
    if request.exception:
        return _decide_exception(request)
    blocking = tuple(r.restriction_id for r in restrictions if r.applies(request.recipient, request.information))
    if blocking:
        paid = any(r.out_of_pocket for r in restrictions if r.restriction_id in blocking)
        message = (
            _("The patient paid for these services in full and asked that %(recipient)s not be told (42 CFR 2.26).")
            if paid
            else _("The patient asked that %(information)s not be disclosed to %(recipient)s, and the program agreed.")
        )
        return _refuse(
            message
            % {"recipient": request.recipient, "information": information_labels(request.information, lower=True)},
            restrictions=blocking,
        )
    covering = [
        terms
        for terms in consents
        if terms.state(request.on) == "active" and terms.covers(request.recipient, request.purpose, request.information)
    ]
    if covering:
        # The narrowest consent that fits: one naming the recipient before the
        # general TPO consent, then the most recently signed.
        chosen = max(covering, key=lambda terms: (terms.kind != ConsentKind.TPO, terms.signed_on, terms.consent_id))
        return Decision(allowed=True, message=explain_scope(chosen), consent_id=chosen.consent_id)
    return _refuse(_missing_message(request, consents))


def explain_scope(terms: ConsentTerms) -> str:
    """The consent's scope in plain words, sent with each disclosure (42 CFR 2.32(b))."""
    if terms.kind == ConsentKind.TPO:
        to_whom = str(TPO_RECIPIENTS_THIRD_PERSON)
    else:
        to_whom = "; ".join(str(recipient) for recipient in terms.recipients)
    purposes = ", ".join(lower_first(str(Purpose(code).label)) for code in Purpose.values if code in terms.purposes)
    if terms.expiry_kind == ExpiryKind.DATE:
        until = _("until %(date)s") % {"date": terms.expires_on}
    elif terms.expiry_kind == ExpiryKind.END_OF_TREATMENT:
        until = _("until the end of treatment")
    elif terms.expiry_kind == ExpiryKind.EVENT:
        until = _("until the event the consent names")
    else:
        until = _("with no expiry date")
    return _(
        "Disclosed under the patient's written consent signed on %(signed)s: the program may disclose "
        "%(information)s to %(recipients)s for %(purposes)s, %(until)s. The patient may revoke it in writing."
    ) % {
        "signed": terms.signed_on,
        "information": information_labels(terms.information, lower=True),
        "recipients": to_whom,
        "purposes": purposes,
        "until": until,
    }
