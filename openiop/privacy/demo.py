# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo consents, disclosures, restrictions and an emergency access.

Most patients in treatment signed the single TPO consent at admission; some
also signed a consent to a named recipient (a probation officer, an employer,
a family member, another provider) and one a counseling-notes consent. One
consent was revoked in writing and one has expired. Disclosures go out
through ``disclose`` like real ones (so each carries the notice); the first
consents were signed on screen (a drawn signature, rendered to PDF) or on
paper and scanned; most patients were given the notice of 42 CFR 2.22; a
probation officer's request for records was answered with a packet and an
employer's waits. A patient
asked to keep their health plan out of services paid out of pocket, another
restriction waits for the privacy officer, and a clinician at another site
broke the glass. Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.privacy import services, services_release, services_signing
from openiop.privacy.gate import Recipient
from openiop.privacy.information import (
    REQUIRED_STATEMENTS,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
    RepresentativeRelation,
    Signer,
)
from openiop.privacy.models import Consent
from openiop.sites.models import Site

PATIENTS = {"tiny": 8, "small": 60, "medium": 150, "large": 300}
PLANS = ["Blue Shield", "Aetna Better Health", "Medicaid (MassHealth)", "UnitedHealthcare"]
PROBATION = ["Pima County Adult Probation", "Suffolk County Probation", "Cook County Adult Probation"]
EMPLOYERS = ["Harbor Logistics", "Northside Construction", "City Transit Authority"]

# (kind of named recipient, purpose, information) for the specific consents.
SPECIFIC = [
    (RecipientKind.CRIMINAL_JUSTICE, Purpose.CRIMINAL_JUSTICE, ["attendance", "drug_tests"]),
    (RecipientKind.EMPLOYER, Purpose.EMPLOYMENT, ["attendance"]),
    (RecipientKind.FAMILY, Purpose.FAMILY, ["attendance", "treatment_plan"]),
    (RecipientKind.TREATING_PROVIDER, Purpose.TREATMENT, ["all_except_counseling_notes"]),
]


def progress_steps(size: str) -> int:
    return PATIENTS.get(size, PATIENTS["small"])


def _staff(site: Site, *roles: str) -> list[User]:
    return list(User.objects.filter(sites=site, roles__code__in=roles, is_active=True).distinct().order_by("pk"))


def _recipient(kind: str, rng: random.Random) -> Recipient:
    if kind == RecipientKind.CRIMINAL_JUSTICE:
        return Recipient(kind, rng.choice(PROBATION), rng.choice(["Officer J. Smith", "Officer L. Chen"]))
    if kind == RecipientKind.EMPLOYER:
        return Recipient(kind, rng.choice(EMPLOYERS), "Human resources")
    if kind == RecipientKind.FAMILY:
        return Recipient(kind, "", rng.choice(["Rosa (mother)", "Dan (spouse)", "Lee (sister)"]))
    return Recipient(kind, "Community Health Center", "Dr. R. Lindqvist")


def _consent(episode: Episode, actor: User | None, kind: str, signed_on: dt.date, **fields: object) -> Consent:
    values: dict[str, object] = {
        "signature_confirmed": True,
        "statements": REQUIRED_STATEMENTS[ConsentKind(kind)],
    }
    values.update(fields)
    return services.consent_record(actor=actor, patient=episode.patient, kind=kind, signed_on=signed_on, **values)  # type: ignore[arg-type]


SIGNED_ON_SCREEN = 4  # rendering a PDF takes a moment: a few are enough to show


def _drawn_signature(rng: random.Random) -> str:
    """A synthetic signature as the pad posts it: a PNG data URL of a scrawl."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    points = [(30 + step * 40, 80 + rng.randint(-45, 45)) for step in range(11)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 60, 255), width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _sign(consent: Consent, actor: User | None, number: int, rng: random.Random) -> None:
    if actor is None:
        return
    if number < SIGNED_ON_SCREEN:
        services_signing.consent_sign_on_screen(
            actor=actor,
            consent=consent,
            typed_name=consent.patient.display_name,
            signature_data_url=_drawn_signature(rng),
            language="es" if number == 1 else "en",
        )
    elif number == SIGNED_ON_SCREEN:
        services_signing.consent_attach_scan(
            actor=actor, consent=consent, typed_name=consent.patient.display_name, scan=_scanned_form_cached()
        )


_SCAN: list[bytes] = []


def _scanned_form_cached() -> bytes:
    """Stands in for a scanned paper consent: a page-shaped PNG saying so."""
    if not _SCAN:
        import io

        from PIL import Image, ImageDraw

        image = Image.new("RGB", (850, 1100), "white")
        draw = ImageDraw.Draw(image)
        draw.text((60, 60), "Signed paper consent, scanned (synthetic demo document)", fill="black")
        draw.line([(60, 980), (400, 940), (520, 990)], fill="navy", width=3)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        _SCAN.append(buffer.getvalue())
    return _SCAN[0]


def _release_requests(episode: Episode, actor: User, recipient: Recipient, today: dt.date) -> None:
    """The probation officer asked for attendance and drug tests: answered with
    a packet through the gate. An employer's request waits, due in a week."""
    answered = services_release.release_request_record(
        actor=actor,
        patient=episode.patient,
        received_on=today - dt.timedelta(days=3),
        due_on=today + dt.timedelta(days=7),
        requester=recipient,
        information=["attendance", "drug_tests"],
        purpose=Purpose.CRIMINAL_JUSTICE,
        channel="fax",
        note="Monthly compliance report for the supervision file.",
    )
    services_release.release_build(actor=actor, release=answered)
    services_release.release_request_record(
        actor=actor,
        patient=episode.patient,
        received_on=today - dt.timedelta(days=1),
        due_on=today + dt.timedelta(days=6),
        requester=Recipient(RecipientKind.EMPLOYER, EMPLOYERS[0], "Human resources"),
        information=["attendance"],
        purpose=Purpose.EMPLOYMENT,
        channel="secure_email",
        note="Return-to-work clearance.",
    )


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    limit = progress_steps(size)
    if Consent.objects.exists():
        tick(limit)
        return
    today = timezone.localdate()
    episodes = list(
        Episode.objects.filter(status=Episode.Status.ACTIVE, site__in=sites)
        .select_related("patient", "site")
        .order_by("pk")[:limit]
    )
    recorders = {site.pk: _staff(site, RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.PRIVACY_OFFICER) for site in sites}
    clinicians = {site.pk: _staff(site, RoleCode.CLINICIAN, RoleCode.NURSE) for site in sites}
    for number, episode in enumerate(episodes):
        actor = rng.choice(recorders[episode.site_id]) if recorders[episode.site_id] else None
        clinician = rng.choice(clinicians[episode.site_id]) if clinicians[episode.site_id] else actor
        signed = min(episode.admission_date, today)
        if number % 8 != 7 and actor is not None:  # most were given the notice at admission
            services_signing.notice_acknowledge(
                actor=actor,
                patient=episode.patient,
                given_on=signed,
                how="verbal" if number % 5 == 4 else "signed",
                language="es" if number % 6 == 1 else "en",
            )
        if number % 7 != 6:  # a few patients have no TPO consent on file: the dashboard lists them
            minor = number == 3
            tpo = _consent(
                episode,
                actor,
                ConsentKind.TPO,
                signed,
                information=["all_except_counseling_notes"],
                purposes=[Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
                expiry_kind=ExpiryKind.END_OF_TREATMENT if number % 3 else ExpiryKind.NONE,
                signer=Signer.REPRESENTATIVE if minor else Signer.PATIENT,
                representative_name="Rosa Diaz" if minor else "",
                representative_relation=RepresentativeRelation.PARENT if minor else "",
            )
            _sign(tpo, actor, number, rng)
            plan = Recipient(RecipientKind.HEALTH_PLAN, rng.choice(PLANS))
            services.disclose(
                patient=episode.patient,
                recipient=plan,
                purpose=Purpose.PAYMENT,
                information=["attendance", "diagnoses"],
                actor=actor,
                channel="electronic_exchange",
                description="Claim for IOP days (H0015)",
            )
        if number < len(SPECIFIC) * 2:
            recipient_kind, purpose, information = SPECIFIC[number % len(SPECIFIC)]
            recipient = _recipient(recipient_kind, rng)
            specific = _consent(
                episode,
                actor,
                ConsentKind.SPECIFIC,
                signed,
                information=information,
                recipients=[recipient],
                purposes=[purpose],
                expiry_kind=ExpiryKind.DATE,
                # The first expires within two weeks: the officer's renewal list.
                expires_on=today + dt.timedelta(days=10 if number == 0 else 180),
            )
            if number == 0 and actor is not None:
                _sign(specific, actor, SIGNED_ON_SCREEN, rng)  # the probation consent came in on paper
                _release_requests(episode, actor, recipient, today)
            if number == 1:
                services.consent_revoke(
                    actor=actor or clinician,  # type: ignore[arg-type]
                    consent=specific,
                    revoked_on=max(signed, today - dt.timedelta(days=2)),
                    received_via="in_person",
                    note="Patient handed in a signed letter.",
                )
            else:
                services.disclose(
                    patient=episode.patient,
                    recipient=recipient,
                    purpose=purpose,
                    information=[c for c in information if c != "all_except_counseling_notes"] or ["attendance"],
                    actor=clinician,
                    channel="secure_email",
                    description="Attendance this month",
                )
        if number == 2:
            _consent(
                episode,
                actor,
                ConsentKind.COUNSELING_NOTES,
                signed,
                information=[InformationClass.COUNSELING_NOTES],
                recipients=[Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")],
                purposes=[Purpose.TREATMENT],
                expiry_kind=ExpiryKind.DATE,
                expires_on=today + dt.timedelta(days=90),
            )
        if number == 4:  # signed long ago for a job search that ended
            _consent(
                episode,
                actor,
                ConsentKind.SPECIFIC,
                signed - dt.timedelta(days=200),
                information=["attendance"],
                recipients=[_recipient(RecipientKind.EMPLOYER, rng)],
                purposes=[Purpose.EMPLOYMENT],
                expiry_kind=ExpiryKind.DATE,
                expires_on=signed - dt.timedelta(days=20),
            )
        if number == 5 and actor is not None:
            services.restriction_request_record(
                actor=actor,
                patient=episode.patient,
                requested_on=today,
                recipient=Recipient(RecipientKind.HEALTH_PLAN, rng.choice(PLANS)),
                paid_out_of_pocket=True,
                description="Paid the first two weeks myself; do not tell my plan.",
            )
            services.restriction_request_record(
                actor=actor,
                patient=episode.patient,
                requested_on=today,
                recipient=Recipient(RecipientKind.FAMILY, "", "Dan (spouse)"),
                description="Please do not talk to my husband about my treatment.",
            )
            services.accounting_request_record(actor=actor, patient=episode.patient, requested_on=today)
        if number == 6 and clinician is not None:
            services.disclose(
                patient=episode.patient,
                recipient=Recipient(
                    RecipientKind.TREATING_PROVIDER, "Mercy Hospital Emergency Department", "Dr. Okafor"
                ),
                purpose="",
                information=["medications"],
                actor=clinician,
                channel="phone",
                exception=ExceptionKind.MEDICAL_EMERGENCY,
                exception_detail="Suspected overdose at home; the ED asked for current MOUD dose.",
            )
        tick(1)
    tick(limit - len(episodes))
    _break_the_glass(episodes, sites)


def _break_the_glass(episodes: list[Episode], sites: list[Site]) -> None:
    """A nurse at another site opens one record (the officer reviews it)."""
    for episode in episodes:
        for site in sites:
            if site.pk in {episode.site_id, episode.patient.site_id}:
                continue
            for nurse in _staff(site, RoleCode.NURSE):
                try:
                    services.emergency_access_open(
                        actor=nurse,
                        patient=episode.patient,
                        reason="Patient walked in at our site in acute withdrawal; needed the medication list.",
                    )
                except ValidationError:  # this nurse reaches the patient anyway
                    continue
                return
