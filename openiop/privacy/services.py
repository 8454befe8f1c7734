# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for consents, disclosures, restrictions, emergency access and
accounting requests.

``disclose`` is the one gate every outbound path calls: it asks the pure
``gate.decide`` with the patient's consents and restrictions, and either
records the disclosure (with the 42 CFR 2.32 notice and the consent's scope)
or raises ``DisclosureRefused`` saying what is missing. A refusal is audited
too, and nothing is disclosed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.jobs import enqueue_on_commit
from openiop.core.roles import RoleCode
from openiop.core.tasks import send_email
from openiop.patients.models import Episode, Patient
from openiop.patients.scopes import reaches_clinical_record
from openiop.privacy import gate, rules
from openiop.privacy.gate import Decision, Recipient
from openiop.privacy.information import (
    ALL_EXCEPT_COUNSELING_NOTES,
    NOTICE_TEXT,
    STATEMENT_TEXT,
    TPO_RECIPIENT_WORDING,
    Channel,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    InformationClass,
    NoticeForm,
    RecipientKind,
    RevocationChannel,
    Signer,
)
from openiop.privacy.models import (
    AccountingRequest,
    Consent,
    Disclosure,
    EmergencyAccess,
    PrivacySettings,
    RestrictionRequest,
)
from openiop.sites.models import Organization

EMERGENCY_ACCESS_HOURS = 4
ACCOUNTING_DUE_DAYS = 30
ACCOUNTING_YEARS = 3


class DisclosureRefused(ValidationError):
    """The gate said no; ``decision.message`` says what is missing."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message, code="disclosure_refused")
        self.decision = decision


def treatment_ended_on(patient: Patient) -> dt.date | None:
    """The day treatment ended, for consents that expire "at the end of
    treatment": the last discharge, unless the patient is in treatment now."""
    episodes = Episode.objects.filter(patient=patient)
    if episodes.filter(status=Episode.Status.ACTIVE).exists():
        return None
    ended: dt.date | None = episodes.aggregate(last=Max("discharge_date"))["last"]
    return ended


def notice_form_for(organization: Organization) -> str:
    chosen = PrivacySettings.objects.filter(organization=organization).values_list("notice_form", flat=True).first()
    return chosen or NoticeForm.LONG


# --- Consents ----------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    patient: Patient,
    kind: str,
    information: Iterable[str],
    purposes: Iterable[str],
    expiry_kind: str,
    signed_on: dt.date | None,
    signature_confirmed: bool,
    statements: Iterable[str],
    recipients: Iterable[Recipient] = (),
    expires_on: dt.date | None = None,
    expiry_event: str = "",
    information_detail: str = "",
    purpose_detail: str = "",
    signer: str = Signer.PATIENT,
    representative_name: str = "",
    representative_relation: str = "",
    discloser: Organization | None = None,
    discloser_name: str = "",
) -> Consent:
    """Record a signed consent. Every element of 42 CFR 2.31 must be there
    (see ``rules.consent_problems``); an incomplete consent is refused with a
    message per missing element and nothing is saved."""
    organization = discloser or patient.organization
    named = tuple(recipient for recipient in recipients if recipient.named or recipient.kind)
    draft = rules.ConsentDraft(
        kind=kind,
        discloser=discloser_name.strip() or organization.name,
        information=frozenset(information),
        recipients=named,
        purposes=frozenset(purposes),
        expiry_kind=expiry_kind,
        signed_on=signed_on,
        signature_confirmed=signature_confirmed,
        statements=frozenset(statements),
        today=timezone.localdate(),
        expires_on=expires_on if expiry_kind == ExpiryKind.DATE else None,
        expiry_event=expiry_event,
        signer=signer,
        representative_name=representative_name,
        representative_relation=representative_relation,
    )
    problems = rules.consent_problems(draft)
    if problems:
        raise ValidationError(problems)
    assert signed_on is not None  # consent_problems refuses a missing date
    representative = signer == Signer.REPRESENTATIVE
    consent = Consent.objects.create(
        patient=patient,
        kind=kind,
        discloser=organization,
        discloser_name=draft.discloser,
        information=sorted(draft.information),
        information_detail=information_detail.strip(),
        recipients=[
            {"kind": r.kind, "organization": r.organization.strip(), "name": r.name.strip()} for r in draft.recipients
        ],
        recipient_class=str(TPO_RECIPIENT_WORDING) if kind == ConsentKind.TPO else "",
        purposes=sorted(draft.purposes),
        purpose_detail=purpose_detail.strip(),
        expiry_kind=expiry_kind,
        expires_on=draft.expires_on,
        expiry_event=expiry_event.strip() if expiry_kind == ExpiryKind.EVENT else "",
        statements=[{"code": code, "text": STATEMENT_TEXT[code]} for code in sorted(draft.statements)],
        signed_on=signed_on,
        signer=signer,
        representative_name=representative_name.strip() if representative else "",
        representative_relation=representative_relation if representative else "",
        recorded_by=actor,
    )
    log_action(
        "consent.record",
        obj=consent,
        actor=actor,
        data={
            "kind": kind,
            "information": consent.information,
            "recipients": consent.recipients,
            "purposes": consent.purposes,
            "expiry": expiry_kind,
            "signed_on": signed_on,
            "signer": signer,
        },
    )
    return consent


@transaction.atomic
def consent_revoke(*, actor: User, consent: Consent, revoked_on: dt.date, received_via: str, note: str = "") -> Consent:
    """Record a written revocation received on REVOKED_ON. From that day no
    new disclosure goes out under the consent; earlier ones stand."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.revoked_on is not None:
        raise ValidationError(
            _("This consent was already revoked on %(date)s.") % {"date": f"{current.revoked_on:%Y-%m-%d}"}
        )
    if received_via not in RevocationChannel.values:
        raise ValidationError({"received_via": _("Say how the written revocation was received.")})
    if revoked_on < current.signed_on:
        raise ValidationError(
            {
                "revoked_on": _("A revocation cannot be dated before the consent was signed (%(date)s).")
                % {"date": f"{current.signed_on:%Y-%m-%d}"}
            }
        )
    if revoked_on > timezone.localdate():
        raise ValidationError({"revoked_on": _("The revocation date is in the future; record it when it arrives.")})
    current.revoked_on = revoked_on
    current.revocation_received_via = received_via
    current.revocation_note = note.strip()
    current.revocation_recorded_by = actor
    current.revocation_recorded_at = timezone.now()
    current.save(
        update_fields=[
            "revoked_on",
            "revocation_received_via",
            "revocation_note",
            "revocation_recorded_by",
            "revocation_recorded_at",
        ]
    )
    log_action(
        "consent.revoke", obj=current, actor=actor, data={"revoked_on": revoked_on, "received_via": received_via}
    )
    return current


@transaction.atomic
def consent_expiry_event(*, actor: User, consent: Consent, happened_on: dt.date) -> Consent:
    """Record that the event a consent expires on has happened."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.expiry_kind != ExpiryKind.EVENT:
        raise ValidationError(_("This consent does not expire on an event."))
    if current.expiry_event_on is not None:
        raise ValidationError(_("The expiry event was already recorded."))
    if happened_on < current.signed_on or happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The event must fall between the signature and today.")})
    current.expiry_event_on = happened_on
    current.save(update_fields=["expiry_event_on"])
    log_action("consent.expiry_event", obj=current, actor=actor, data={"happened_on": happened_on})
    return current


# --- The disclosure gate -----------------------------------------------------


def _restrictions(patient: Patient) -> list[gate.RestrictionTerms]:
    granted = RestrictionRequest.objects.filter(patient=patient).filter(
        Q(status=RestrictionRequest.Status.GRANTED) | Q(paid_out_of_pocket=True)
    )
    return [restriction.terms() for restriction in granted]


def disclosure_decision(
    *, patient: Patient, recipient: Recipient, purpose: str, information: Iterable[str], exception: str = ""
) -> Decision:
    """What the gate would answer today, without disclosing anything: shown
    before a release packet is built. ``disclose`` decides again, locked."""
    request = gate.DisclosureRequest(
        recipient=Recipient(recipient.kind, recipient.organization.strip(), recipient.name.strip()),
        purpose=purpose,
        information=frozenset(information),
        on=timezone.localdate(),
        exception=exception,
    )
    consents = Consent.objects.filter(patient=patient).order_by("pk")
    ended = treatment_ended_on(patient)
    with translation.override(settings.LANGUAGE_CODE):
        return gate.decide(request, [c.terms(treatment_ended_on=ended) for c in consents], _restrictions(patient))


def disclose(
    *,
    patient: Patient,
    recipient: Recipient,
    purpose: str,
    information: Iterable[str],
    actor: User | None,
    channel: str,
    exception: str = "",
    exception_detail: str = "",
    description: str = "",
    document_sha256: str = "",
) -> Disclosure:
    """Disclose Part 2 records of PATIENT, or refuse.

    Allowed only under an active consent covering RECIPIENT, PURPOSE and
    every class of INFORMATION (or under a Part 2 EXCEPTION with its
    particulars). The recorded ``Disclosure`` carries the 42 CFR 2.32 notice
    the organization chose and a plain explanation of the consent's scope, to
    send with the records. Raises ``DisclosureRefused`` (a ValidationError)
    with the gate's message otherwise; the refusal is audited.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the records are sent.")})
    request = gate.DisclosureRequest(
        recipient=Recipient(recipient.kind, recipient.organization.strip(), recipient.name.strip()),
        purpose=purpose,
        information=frozenset(information),
        on=timezone.localdate(),
        exception=exception,
        exception_detail=exception_detail.strip(),
    )
    with transaction.atomic():
        # Locked so a revocation recorded at this moment is either seen or waits.
        consents = list(Consent.objects.select_for_update().filter(patient=patient).order_by("pk"))
        ended = treatment_ended_on(patient)
        decision = gate.decide(request, [c.terms(treatment_ended_on=ended) for c in consents], _restrictions(patient))
        if decision.allowed:
            return _record_disclosure(patient, request, decision, actor, channel, description, document_sha256)
    log_action(
        "disclosure.refused",
        obj=patient,
        actor=actor,
        data={
            "recipient": str(request.recipient),
            "purpose": purpose,
            "information": sorted(request.information),
            "exception": exception,
            "reason": decision.message,
        },
    )
    raise DisclosureRefused(decision)


def _record_disclosure(
    patient: Patient,
    request: gate.DisclosureRequest,
    decision: Decision,
    actor: User | None,
    channel: str,
    description: str,
    document_sha256: str,
) -> Disclosure:
    notice_form = notice_form_for(patient.organization)
    # The notice and the explanation travel with the records: written in the
    # program's language, whatever language the staff member's page is in.
    with translation.override(settings.LANGUAGE_CODE):
        if decision.exception:
            scope = _("Disclosed without consent under %(exception)s: %(detail)s") % {
                "exception": ExceptionKind(decision.exception).label,
                "detail": request.exception_detail,
            }
        else:
            scope = decision.message
    disclosure = Disclosure.objects.create(
        patient=patient,
        consent_id=decision.consent_id,
        exception=decision.exception,
        exception_detail=request.exception_detail,
        recipient_kind=request.recipient.kind,
        recipient_organization=request.recipient.organization,
        recipient_name=request.recipient.name,
        purpose=request.purpose if not decision.exception else "",
        information=sorted(request.information),
        description=description.strip(),
        channel=channel,
        disclosed_by=actor,
        notice_form=notice_form,
        notice_text=NOTICE_TEXT[notice_form],
        scope_explanation=scope,
        document_sha256=document_sha256,
    )
    log_action(
        "disclosure.make",
        obj=disclosure,
        actor=actor,
        data={
            "recipient": str(request.recipient),
            "purpose": request.purpose,
            "information": disclosure.information,
            "consent": decision.consent_id,
            "exception": decision.exception,
            "channel": channel,
        },
    )
    return disclosure


# --- Restrictions (42 CFR 2.26) ----------------------------------------------

OUT_OF_POCKET_REASON = (
    "Required by 42 CFR 2.26 and 45 CFR 164.522(a)(1)(vi): the services were paid in full out of pocket, so the "
    "health plan is not told."
)


@transaction.atomic
def restriction_request_record(
    *,
    actor: User,
    patient: Patient,
    requested_on: dt.date,
    recipient: Recipient,
    information: Iterable[str] = (),
    paid_out_of_pocket: bool = False,
    description: str = "",
) -> RestrictionRequest:
    """Record a patient's request to restrict disclosures. A request not to
    tell a health plan about services paid in full out of pocket must be
    honoured: it is granted as it is recorded."""
    errors: dict[str, str] = {}
    if recipient.kind not in RecipientKind.values:
        errors["recipient_kind"] = _("Say to whom the patient does not want records disclosed.")
    if paid_out_of_pocket and recipient.kind != RecipientKind.HEALTH_PLAN:
        errors["paid_out_of_pocket"] = _("Services paid out of pocket are kept from a health plan; choose the plan.")
    if paid_out_of_pocket and not recipient.organization.strip():
        errors["recipient_organization"] = _("Name the health plan.")
    if requested_on > timezone.localdate():
        errors["requested_on"] = _("The request date is in the future.")
    unknown = set(information) - {ALL_EXCEPT_COUNSELING_NOTES, *InformationClass.values}
    if unknown:
        errors["information"] = _("Unknown information classes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    restriction = RestrictionRequest(
        patient=patient,
        requested_on=requested_on,
        recipient_kind=recipient.kind,
        recipient_organization=recipient.organization.strip(),
        recipient_name=recipient.name.strip(),
        information=sorted(set(information)),
        paid_out_of_pocket=paid_out_of_pocket,
        description=description.strip(),
        recorded_by=actor,
    )
    if paid_out_of_pocket:
        restriction.status = RestrictionRequest.Status.GRANTED
        restriction.decided_by = actor
        restriction.decided_at = timezone.now()
        restriction.decision_reason = OUT_OF_POCKET_REASON
    restriction.save()
    log_action(
        "restriction.request",
        obj=restriction,
        actor=actor,
        data={
            "recipient": str(restriction.recipient),
            "out_of_pocket": paid_out_of_pocket,
            "status": restriction.status,
        },
    )
    return restriction


@transaction.atomic
def restriction_decide(
    *, actor: User, restriction: RestrictionRequest, granted: bool, reason: str
) -> RestrictionRequest:
    current = RestrictionRequest.objects.select_for_update().get(pk=restriction.pk)
    if current.paid_out_of_pocket and not granted:
        raise ValidationError(
            _("A request not to tell a health plan about services paid in full out of pocket must be honored.")
        )
    if current.status != RestrictionRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already %(status)s by %(user)s.")
            % {"status": current.get_status_display().lower(), "user": current.decided_by}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision; the patient is told it.")})
    current.status = RestrictionRequest.Status.GRANTED if granted else RestrictionRequest.Status.DENIED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_reason = reason.strip()
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    log_action("restriction.decide", obj=current, actor=actor, data={"status": current.status})
    return current


# --- Emergency access ("break the glass") ------------------------------------


def _privacy_officer_emails(patient: Patient) -> list[str]:
    sites = {patient.site_id, *Episode.objects.filter(patient=patient).values_list("site_id", flat=True)}
    officers = User.objects.filter(is_active=True, roles__code=RoleCode.PRIVACY_OFFICER, sites__in=sites).exclude(
        email=""
    )
    emails = set(officers.values_list("email", flat=True))
    extra = PrivacySettings.objects.filter(organization_id=patient.organization_id).values_list(
        "alert_email", flat=True
    )
    emails |= {email for email in extra if email}
    return sorted(emails)


@transaction.atomic
def emergency_access_open(
    *, actor: User, patient: Patient, reason: str, hours: int = EMERGENCY_ACCESS_HOURS
) -> EmergencyAccess:
    """Open PATIENT's record to ACTOR for HOURS (the patient scope rule reads
    active grants), audit it and alert the privacy officers. The e-mail names
    no patient (42 CFR Part 2): only that an access waits for review."""
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why you need this record now (at least a sentence).")})
    now = timezone.now()
    running = EmergencyAccess.objects.filter(user=actor, patient=patient, expires_at__gt=now).first()
    if running is not None:
        raise ValidationError(
            _("You already have emergency access to this record until %(time)s.")
            % {"time": f"{timezone.localtime(running.expires_at):%H:%M}"}
        )
    # At the patient's site with need to know on, a user off the care team
    # still needs emergency access for the clinical record.
    if reaches_clinical_record(actor, patient):
        raise ValidationError(_("You already have access to this patient's record; no emergency access is needed."))
    access = EmergencyAccess.objects.create(
        user=actor, patient=patient, reason=reason.strip(), started_at=now, expires_at=now + dt.timedelta(hours=hours)
    )
    log_action(
        "privacy.break_glass", obj=access, actor=actor, data={"reason": access.reason, "expires_at": access.expires_at}
    )
    recipients = _privacy_officer_emails(patient)
    if recipients:
        link = f"{settings.OPENIOP_BASE_URL.rstrip('/')}{reverse('privacy:emergency_review', args=[access.pk])}"
        enqueue_on_commit(
            send_email,
            subject=str(_("OpenIOP: emergency access to a record needs review")),
            body=str(
                _("%(user)s used emergency access to a patient's record. Sign in to review it: %(link)s")
                % {"user": actor, "link": link}
            ),
            recipients=recipients,
        )
    return access


@transaction.atomic
def emergency_access_review(*, actor: User, access: EmergencyAccess, note: str) -> EmergencyAccess:
    current = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
    if current.reviewed_at is not None:
        raise ValidationError(_("%(user)s already reviewed this access.") % {"user": current.reviewed_by})
    if not note.strip():
        raise ValidationError({"note": _("Write what you found: justified, or what follows.")})
    current.reviewed_by = actor
    current.reviewed_at = timezone.now()
    current.review_note = note.strip()
    current.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    log_action("privacy.break_glass_review", obj=current, actor=actor, data={"note": current.review_note})
    return current


# --- Accounting of disclosures -----------------------------------------------


@transaction.atomic
def accounting_request_record(*, actor: User, patient: Patient, requested_on: dt.date) -> AccountingRequest:
    """Record a patient's request for an accounting; due within 30 days."""
    if requested_on > timezone.localdate():
        raise ValidationError({"requested_on": _("The request date is in the future.")})
    if requested_on < timezone.localdate() - dt.timedelta(days=365):
        raise ValidationError({"requested_on": _("That is more than a year ago; check the date.")})
    request = AccountingRequest.objects.create(
        patient=patient,
        requested_on=requested_on,
        due_on=requested_on + dt.timedelta(days=ACCOUNTING_DUE_DAYS),
        recorded_by=actor,
    )
    log_action("privacy.accounting_request", obj=request, actor=actor, data={"requested_on": requested_on})
    return request


@transaction.atomic
def accounting_mark_provided(*, actor: User, request: AccountingRequest, provided_on: dt.date) -> AccountingRequest:
    current = AccountingRequest.objects.select_for_update().get(pk=request.pk)
    if current.provided_on is not None:
        raise ValidationError(_("This accounting was already provided."))
    if provided_on < current.requested_on or provided_on > timezone.localdate():
        raise ValidationError({"provided_on": _("The date must fall between the request and today.")})
    current.provided_on = provided_on
    current.save(update_fields=["provided_on"])
    log_action("privacy.accounting_provided", obj=current, actor=actor, data={"provided_on": provided_on})
    return current
