# SPDX-License-Identifier: AGPL-3.0-or-later
"""Eligibility and benefits verification: manual checks (a call, the payer's
portal) and electronic ones (an X12 270 through the clearinghouse, answered
by a 271 read from its inbox into the same record).

Every electronic request is a disclosure of Part 2 records to the payer, so it
passes the privacy gate first; a refusal sends nothing. Reading answers is
all or nothing per file: a malformed 271, or one that answers a request we did
not send or someone else than we asked about, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.insurance import signals
from openiop.insurance.clearinghouse import Clearinghouse, InboxFile, clearinghouse
from openiop.insurance.models import (
    CheckMethod,
    ClearinghouseFile,
    Coverage,
    EligibilityCheck,
    EligibilityStatus,
    SubscriberRelation,
    YesNoUnknown,
)
from openiop.insurance.services import copy_benefits, next_control_numbers
from openiop.patients.models import Sex

SERVICE_TYPES = {"AI": _("Substance abuse"), "MH": _("Mental health"), "30": _("Health benefit plan coverage")}
DEFAULT_SERVICE_TYPES = ("AI", "MH")
_AMOUNT_FIELDS = ("copay_per_day", "deductible", "deductible_remaining", "out_of_pocket_max")


def _benefit_errors(values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for field in _AMOUNT_FIELDS:
        if values.get(field) is not None and values[field] < 0:
            errors[field] = _("An amount cannot be negative.")
    percent = values.get("coinsurance_percent")
    if percent is not None and not Decimal(0) <= percent <= Decimal(100):
        errors["coinsurance_percent"] = _("Coinsurance is a percentage from 0 to 100.")
    return errors


@transaction.atomic
def eligibility_check_record(
    *,
    actor: User | None,
    coverage: Coverage,
    method: str,
    active: bool,
    checked_at: dt.datetime | None = None,
    service_types: list[str] | tuple[str, ...] = DEFAULT_SERVICE_TYPES,
    reference: str = "",
    representative: str = "",
    copay_per_day: Decimal | None = None,
    coinsurance_percent: Decimal | None = None,
    deductible: Decimal | None = None,
    deductible_remaining: Decimal | None = None,
    out_of_pocket_max: Decimal | None = None,
    authorization_required: str = YesNoUnknown.UNKNOWN,
    notes: str = "",
) -> EligibilityCheck:
    """Record a check made by phone or on the payer's portal, and copy the
    benefits found onto the coverage. ValidationError saves nothing."""
    now = timezone.now()
    checked_at = checked_at or now
    benefits = {
        "copay_per_day": copay_per_day,
        "coinsurance_percent": coinsurance_percent,
        "deductible": deductible,
        "deductible_remaining": deductible_remaining,
        "out_of_pocket_max": out_of_pocket_max,
    }
    errors = _benefit_errors(benefits)
    if method not in (CheckMethod.PHONE, CheckMethod.PORTAL):
        errors["method"] = _("Say how you checked: by phone or on the payer's portal.")
    if not reference.strip():
        errors["reference"] = _("Note the call's reference number or the portal's confirmation.")
    if checked_at > now + dt.timedelta(minutes=5):
        errors["checked_at"] = _("A check cannot be recorded in the future.")
    unknown = set(service_types) - set(SERVICE_TYPES)
    if unknown or not service_types:
        errors["service_types"] = _("Choose the service types checked (AI substance abuse, MH mental health).")
    if authorization_required not in YesNoUnknown.values:
        errors["authorization_required"] = _("Say whether the payer requires an authorization.")
    if deductible is not None and deductible_remaining is not None and deductible_remaining > deductible:
        errors["deductible_remaining"] = _("The deductible remaining cannot be more than the deductible.")
    if errors:
        raise ValidationError(errors)
    check = EligibilityCheck.objects.create(
        patient_id=coverage.patient_id,
        coverage=coverage,
        method=method,
        status=EligibilityStatus.ACTIVE if active else EligibilityStatus.INACTIVE,
        service_types=list(service_types),
        checked_by=actor,
        checked_at=checked_at,
        answered_at=checked_at,
        authorization_required=authorization_required,
        reference=reference.strip(),
        representative=representative.strip(),
        notes=notes.strip(),
        **benefits,
    )
    log_action(
        "eligibility.record",
        obj=check,
        actor=actor,
        data={"method": method, "status": check.status, "reference": check.reference},
    )
    _copy_onto_coverage(check, actor)
    return check


def _copy_onto_coverage(check: EligibilityCheck, actor: User | None) -> None:
    coverage = Coverage.objects.select_for_update().get(pk=check.coverage_id)
    changed = copy_benefits(
        coverage, {field: getattr(check, field) for field in (*_AMOUNT_FIELDS, "coinsurance_percent")}
    )
    if changed:
        coverage.version += 1
        coverage.save()
        log_action("coverage.benefits", obj=coverage, actor=actor, data={"check": check.pk, "changed": sorted(changed)})
    signals.coverage_changed.send(sender=Coverage, patient_id=coverage.patient_id)


# --- Electronic checks: 270 out ---------------------------------------------------------------------------------------

_X12_SEX: dict[str, str] = {Sex.FEMALE: "F", Sex.MALE: "M"}


def _sender_id(coverage: Coverage) -> str:
    organization = coverage.patient.organization
    sender = re.sub(r"[^0-9A-Za-z]", "", organization.npi or organization.tax_id or "")
    if not organization.npi:
        raise ValidationError(
            _("Enter the organization's NPI (Django admin, Organizations) before sending electronic checks.")
        )
    return sender[:15]


def eligibility_check_send(
    *,
    actor: User | None,
    coverage: Coverage,
    service_types: tuple[str, ...] = DEFAULT_SERVICE_TYPES,
    on: dt.date | None = None,
    sender: Clearinghouse | None = None,
) -> EligibilityCheck:
    """Send a 270 for COVERAGE through the clearinghouse: the request passes
    the Part 2 gate first (payer as recipient, purpose payment); a refusal
    raises ``DisclosureRefused`` with the gate's message and sends nothing.
    The check waits as pending until its 271 is read."""
    from openiop.privacy import services as privacy
    from openiop.privacy.gate import Recipient
    from openiop.privacy.information import Channel, InformationClass, Purpose, RecipientKind
    from openiop.x12.eligibility import EligibilityRequest, Person, build_270
    from openiop.x12.envelope import Envelope

    coverage = Coverage.objects.select_related("patient__organization", "payer").get(pk=coverage.pk)
    patient, payer = coverage.patient, coverage.payer
    if not payer.is_active:
        raise ValidationError(_("%(payer)s is no longer an active payer.") % {"payer": payer.name})
    if set(service_types) - set(SERVICE_TYPES) or not service_types:
        raise ValidationError({"service_types": _("Choose the service types to ask about (AI, MH).")})
    sender_id = _sender_id(coverage)
    day = on or timezone.localdate()
    patient_person = Person(
        first_name=patient.legal_first_name,
        last_name=patient.legal_last_name,
        birth_date=patient.birth_date,
        sex=_X12_SEX.get(patient.sex_at_birth, ""),
    )
    if coverage.relation_to_subscriber == SubscriberRelation.SELF:
        subscriber = Person(
            first_name=patient_person.first_name,
            last_name=patient_person.last_name,
            birth_date=patient_person.birth_date,
            member_id=coverage.member_id,
            sex=patient_person.sex,
        )
        dependent = None
    else:
        subscriber = Person(
            first_name=coverage.subscriber_first_name,
            last_name=coverage.subscriber_last_name,
            birth_date=coverage.subscriber_birth_date,
            member_id=coverage.member_id,
        )
        dependent = patient_person
    trace = secrets.token_hex(8).upper()
    interchange, group = next_control_numbers(sender_id=sender_id)
    request = EligibilityRequest(
        trace_number=trace,
        provider_name=patient.organization.name,
        provider_npi=patient.organization.npi,
        payer_name=payer.name,
        payer_id=payer.payer_id,
        subscriber=subscriber,
        patient=dependent,
        relation=coverage.relation_to_subscriber,
        service_types=tuple(service_types),
        on=day,
    )
    envelope = Envelope(
        sender_id=sender_id,
        receiver_id=payer.payer_id[:15],
        interchange_control_number=interchange,
        group_control_number=group,
        created=timezone.now(),
    )
    # Built before the gate: a request that cannot be built is no disclosure.
    text = build_270(request, envelope)
    disclosure = privacy.disclose(
        patient=patient,
        recipient=Recipient(RecipientKind.HEALTH_PLAN, payer.name),
        purpose=Purpose.PAYMENT,
        information=[InformationClass.ATTENDANCE],
        actor=actor,
        channel=Channel.ELECTRONIC_EXCHANGE,
        description=_("Eligibility and benefits inquiry (X12 270), trace %(trace)s") % {"trace": trace},
    )
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            patient=patient,
            coverage=coverage,
            method=CheckMethod.ELECTRONIC,
            status=EligibilityStatus.PENDING,
            service_types=list(service_types),
            checked_by=actor,
            trace_number=trace,
            reference=f"ISA {interchange:09d}",
        )
        name = f"270-{interchange:09d}-{trace}.x12"
        path = (sender or clearinghouse()).send(name, text)  # last: a failed write rolls the check back
        check.request_file = path.name
        check.save(update_fields=["request_file"])
        log_action(
            "eligibility.send",
            obj=check,
            actor=actor,
            data={"trace": trace, "interchange": interchange, "disclosure": disclosure.pk, "file": path.name},
        )
    _enqueue_inbox_poll()
    return check


def _enqueue_inbox_poll() -> None:
    from openiop.insurance.jobs import poll_inbox_soon

    poll_inbox_soon()


# --- 271s in ----------------------------------------------------------------------------------------------------------


class AnswerRefused(ValidationError):
    """A file from the clearinghouse that changes nothing (malformed, or not an answer to our request)."""


@dataclass(frozen=True)
class ImportOutcome:
    name: str
    kind: str
    accepted: bool
    message: str


_ST01 = re.compile(r"(?:^|~)\s*ST\*(\d{3})\*")


def file_kind(text: str) -> str:
    """The transaction set of an X12 file (271, 835, 999...), or "" when there is none."""
    match = _ST01.search(text.lstrip("\ufeff"))
    return match.group(1) if match else ""


def _yes_no(value: bool | None) -> str:
    return YesNoUnknown.UNKNOWN if value is None else YesNoUnknown.YES if value else YesNoUnknown.NO


def _import_271(name: str, text: str) -> str:
    """Fill the pending checks a 271 answers; all of them or none."""
    from openiop.x12 import eligibility_response as x271
    from openiop.x12.errors import X12Error

    try:
        responses = x271.read_271(text)
    except X12Error as exc:
        raise AnswerRefused(_("%(name)s is not a readable 271: %(error)s") % {"name": name, "error": exc}) from None
    if not responses:
        raise AnswerRefused(_("%(name)s answers no one.") % {"name": name})
    with transaction.atomic():
        matched = []
        for response in responses:
            check = (
                EligibilityCheck.objects.select_for_update()
                .select_related("coverage__payer", "patient")
                .filter(method=CheckMethod.ELECTRONIC, trace_number__iexact=response.trace_number.strip())
                .first()
                if response.trace_number.strip()
                else None
            )
            if check is None:
                raise AnswerRefused(
                    _("%(name)s answers a request we did not send (trace number %(trace)s); nothing was changed.")
                    % {"name": name, "trace": response.trace_number or "—"}
                )
            if response.member_id and response.member_id.strip().upper() != check.coverage.member_id.upper():
                raise AnswerRefused(
                    _(
                        "%(name)s answers about member ID %(theirs)s, but trace %(trace)s asked about %(ours)s; "
                        "nothing was changed."
                    )
                    % {
                        "name": name,
                        "theirs": response.member_id,
                        "trace": response.trace_number,
                        "ours": check.coverage.member_id,
                    }
                )
            matched.append((check, response))
        filled = 0
        for check, response in matched:
            if check.status != EligibilityStatus.PENDING:
                continue  # answered already (the same answer again, or a duplicate): left as it was
            _apply_271(check, response, name, x271)
            filled += 1
    return _("%(count)d eligibility check(s) answered.") % {"count": filled}


def _apply_271(check: EligibilityCheck, response: Any, name: str, x271: Any) -> None:
    types = tuple(check.service_types or DEFAULT_SERVICE_TYPES)
    if response.rejections:
        check.status = EligibilityStatus.REJECTED
        check.rejection_reason = "; ".join(
            " ".join(part for part in (r.code, r.description, r.follow_up) if part) for r in response.rejections
        )[:300]
    else:
        check.status = EligibilityStatus.ACTIVE if response.active else EligibilityStatus.INACTIVE
        check.copay_per_day = x271.copay(response, types)
        check.coinsurance_percent = x271.coinsurance(response, types)
        check.deductible = x271.deductible(response, types)
        check.deductible_remaining = x271.deductible_remaining(response, types)
        check.out_of_pocket_max = x271.out_of_pocket_max(response, types)
        check.authorization_required = _yes_no(x271.authorization_required(response, types))
    check.answered_at = timezone.now()
    check.response_file = name[:300]
    check.save()
    log_action("eligibility.answer", obj=check, actor=None, data={"trace": check.trace_number, "status": check.status})
    if check.status != EligibilityStatus.REJECTED:
        _copy_onto_coverage(check, None)


# Where each kind of clearinghouse file is read. Billing adds "835" (remittance)
# and "999" (acknowledgements) here; a kind without a reader stays in the inbox.
IMPORTERS: dict[str, Callable[[str, str], str]] = {"271": _import_271}


def register_importer(kind: str, importer: Callable[[str, str], str]) -> None:
    IMPORTERS[kind] = importer


def clearinghouse_file_import(name: str, text: str) -> ImportOutcome:
    """Read one file from the clearinghouse: dispatched by its transaction
    set; the same content read again changes nothing."""
    kind = file_kind(text)
    digest = hashlib.sha256(text.encode("latin-1", errors="replace")).hexdigest()
    if ClearinghouseFile.objects.filter(sha256=digest).exists():
        return ImportOutcome(name, kind, True, _("%(name)s was read before; nothing changed.") % {"name": name})
    importer = IMPORTERS.get(kind)
    if importer is None:
        message = (
            _("%(name)s is not an X12 file.") % {"name": name}
            if not kind
            else _("%(name)s is a %(kind)s, which OpenIOP does not read yet.") % {"name": name, "kind": kind}
        )
        return ImportOutcome(name, kind, False, message)
    try:
        with transaction.atomic():
            message = importer(name, text)
            ClearinghouseFile.objects.create(sha256=digest, name=name[:200], kind=kind, outcome=message[:300])
    except ValidationError as exc:
        message = " ".join(exc.messages)
        log_action("clearinghouse.refused", actor=None, data={"file": name, "kind": kind, "reason": message})
        return ImportOutcome(name, kind, False, message)
    log_action("clearinghouse.import", actor=None, data={"file": name, "kind": kind, "outcome": message})
    return ImportOutcome(name, kind, True, message)


def eligibility_inbox_import(*, source: Clearinghouse | None = None) -> list[ImportOutcome]:
    """Read every answer waiting in the clearinghouse inbox. Files read (or
    refused) are moved to processed; files of a kind no importer reads stay."""
    connection = source or clearinghouse()
    outcomes = []
    for inbox_file in connection.receive():
        outcome = clearinghouse_file_import(inbox_file.name, inbox_file.text)
        if outcome.kind in IMPORTERS:
            _archive(connection, inbox_file)
        outcomes.append(outcome)
    return outcomes


def _archive(connection: Clearinghouse, inbox_file: InboxFile) -> None:
    connection.archive(inbox_file)
