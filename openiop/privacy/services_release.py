# SPDX-License-Identifier: AGPL-3.0-or-later
"""Release of information: a request from an outside party, checked against
the patient's consents, answered with one PDF packet that goes through the
disclosure gate.

The packet (cover sheet with the security labels, the 42 CFR 2.32 notice, the
consent's scope, then the records of the classes the gate allowed) is rendered,
hashed, and only then disclosed with that hash: ``disclose`` decides again
under lock, and if it refuses nothing is stored. A built packet is never
rebuilt; the file on disk is checked against its hash when it is read back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Patient
from openiop.privacy import documents, packet_sources, services
from openiop.privacy.gate import Decision, Recipient
from openiop.privacy.information import (
    NOTICE_TEXT,
    SECURITY_LABEL_LINE,
    SECURITY_LABELS,
    Channel,
    InformationClass,
    Purpose,
    RecipientKind,
    information_labels,
)
from openiop.privacy.models import ReleaseRequest

# The outbound templates and the services that render them: each one calls
# ``disclose`` with the rendered document's hash. A test fails when a template
# under privacy/outbound/ is missing here.
OUTBOUND_TEMPLATES = {"privacy/outbound/packet.html": "release_build"}
PACKET_TEMPLATE = "privacy/outbound/packet.html"


@transaction.atomic
def release_request_record(
    *,
    actor: User,
    patient: Patient,
    received_on: dt.date,
    due_on: dt.date,
    requester: Recipient,
    information: Iterable[str],
    purpose: str,
    channel: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    note: str = "",
) -> ReleaseRequest:
    """Record a request for records: who asks, what, why, and by when."""
    information = sorted(set(information))
    errors: dict[str, str] = {}
    if requester.kind not in RecipientKind.values:
        errors["requester_kind"] = _("Say what kind of requester this is.")
    if not requester.named:
        errors["requester_organization"] = _("Name the requester (a person or an organization).")
    if not information:
        errors["information"] = _("Say which records are asked for.")
    elif set(information) - set(InformationClass.values):
        errors["information"] = _("Unknown information classes.")
    if purpose not in Purpose.values:
        errors["purpose"] = _("Say why the records are asked for.")
    if channel not in Channel.values:
        errors["channel"] = _("Say how the records will be sent.")
    today = timezone.localdate()
    if received_on > today:
        errors["received_on"] = _("The request date is in the future.")
    if due_on < received_on:
        errors["due_on"] = _("The due date falls before the request was received.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if errors:
        raise ValidationError(errors)
    release = ReleaseRequest.objects.create(
        patient=patient,
        received_on=received_on,
        due_on=due_on,
        requester_kind=requester.kind,
        requester_organization=requester.organization.strip(),
        requester_name=requester.name.strip(),
        information=information,
        purpose=purpose,
        channel=channel,
        period_start=period_start,
        period_end=period_end,
        note=note.strip(),
        recorded_by=actor,
    )
    log_action(
        "release.request",
        obj=release,
        actor=actor,
        data={"requester": str(requester), "information": information, "purpose": purpose, "due_on": due_on},
    )
    return release


def release_check(release: ReleaseRequest) -> Decision:
    """The gate's answer to the request as it stands today (nothing disclosed)."""
    return services.disclosure_decision(
        patient=release.patient,
        recipient=release.requester,
        purpose=release.purpose,
        information=release.information,
    )


def packet_context(
    release: ReleaseRequest,
    decision: Decision,
    *,
    prepared_by: User | None,
    extra_sections: Sequence[packet_sources.Section] = (),
) -> dict[str, object]:
    """What the packet shows: only the classes the gate allowed. EXTRA_SECTIONS
    (a caller's own, e.g. a concurrent-review packet's hours against the band
    or the clinician's justification) go in only under a class it allowed."""
    allowed = frozenset(release.information) if decision.allowed else frozenset()
    sections = packet_sources.sections(
        release.patient, allowed, packet_sources.Period(release.period_start, release.period_end)
    )
    sections += [section for section in extra_sections if section.information_class in allowed]
    notice_form = services.notice_form_for(release.patient.organization)
    return {
        "release": release,
        "patient": release.patient,
        "organization": release.patient.organization,
        "requester": release.requester,
        "purpose": Purpose(release.purpose).label,
        "information": information_labels(sorted(allowed)),
        "notice_text": NOTICE_TEXT[notice_form],
        "scope_explanation": decision.message,
        "labels": SECURITY_LABELS,
        "label_line": SECURITY_LABEL_LINE,
        "keywords": ", ".join(code for _system, code, _display in SECURITY_LABELS),
        "sections": sections,
        "prepared_by": prepared_by,
        "prepared_at": timezone.localtime(),
    }


def release_build(
    *,
    actor: User,
    release: ReleaseRequest,
    extra_sections: Sequence[packet_sources.Section] = (),
    description: str = "",
) -> ReleaseRequest:
    """Build the packet, disclose it through the gate with its hash, store it.
    Raises ``services.DisclosureRefused`` (nothing built or stored) when no
    consent covers the request; a request is answered once. EXTRA_SECTIONS and
    DESCRIPTION (the disclosure's, default: a release-of-information packet)
    let another app send its own packet through the same path."""
    with transaction.atomic():
        current = ReleaseRequest.objects.select_for_update().select_related("patient__organization").get(pk=release.pk)
        if current.status != ReleaseRequest.Status.OPEN:
            raise ValidationError(_("This request was already answered; record a new request for more records."))
        decision = release_check(current)
        if not decision.allowed:
            # Let disclose record and audit the refusal in the usual way.
            services.disclose(
                patient=current.patient,
                recipient=current.requester,
                purpose=current.purpose,
                information=current.information,
                actor=actor,
                channel=current.channel,
            )
        # The packet is written in the program's language, like the notice.
        with translation.override(settings.LANGUAGE_CODE):
            pdf = documents.render_pdf(
                PACKET_TEMPLATE,
                packet_context(current, decision, prepared_by=actor, extra_sections=extra_sections),
            )
        digest = documents.sha256_hex(pdf)
        disclosure = services.disclose(
            patient=current.patient,
            recipient=current.requester,
            purpose=current.purpose,
            information=current.information,
            actor=actor,
            channel=current.channel,
            description=description
            or _("Release-of-information packet (request of %(date)s)") % {"date": f"{current.received_on:%Y-%m-%d}"},
            document_sha256=digest,
        )
        if disclosure.consent_id != decision.consent_id or disclosure.scope_explanation != decision.message:
            # A consent changed between the check and the disclosure: the packet
            # would state the wrong scope. Roll back; the user builds again.
            raise ValidationError(_("The patient's consents changed while the packet was built; build it again."))
        current.packet.save(f"release-{current.pk}-{digest[:16]}.pdf", ContentFile(pdf), save=False)
        current.packet_sha256 = digest
        current.disclosure = disclosure
        current.status = ReleaseRequest.Status.RELEASED
        current.save(update_fields=["packet", "packet_sha256", "disclosure", "status"])
        log_action("release.build", obj=current, actor=actor, data={"disclosure": disclosure.pk, "sha256": digest})
        return current


@transaction.atomic
def release_refuse(*, actor: User, release: ReleaseRequest, reason: str) -> ReleaseRequest:
    """Close a request unanswered (no consent came, the requester withdrew)."""
    current = ReleaseRequest.objects.select_for_update().get(pk=release.pk)
    if current.status != ReleaseRequest.Status.OPEN:
        raise ValidationError(_("This request was already answered."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is closed without records.")})
    current.status = ReleaseRequest.Status.REFUSED
    current.refusal_reason = reason.strip()
    current.save(update_fields=["status", "refusal_reason"])
    log_action("release.refuse", obj=current, actor=actor, data={"reason": current.refusal_reason})
    return current


def stored_file_matches(field_file: object, expected_sha256: str) -> bool:
    """Whether a stored file still has the hash recorded when it was made."""
    if not expected_sha256 or not field_file:
        return False
    with field_file.open("rb") as handle:  # type: ignore[attr-defined]
        return bool(documents.sha256_hex(handle.read()) == expected_sha256)
