# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims from released charges: grouped, scrubbed, written as X12, checked
with pyx12 and dropped in the clearinghouse outbox.

``claims_build`` takes every ready charge with a payer, groups the charges per
payer, coverage, patient, claim type and billing period (a calendar month or
week), runs the scrubber on each group, and writes one 837I or 837P file per
payer and claim type from the groups that pass. A file pyx12 refuses is not
sent: its claims are stopped with pyx12's errors and their charges stay ready.
Only the charges of a file that went out become billed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from openiop.audit.services import log_action
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.claims import scrubber
from openiop.claims.build_facts import BatchFacts, billing_lines
from openiop.claims.coordination import claims_needing_secondary, secondary_claim_create
from openiop.claims.models import Claim, ClaimLine, ClaimStatus, ProviderNumber
from openiop.claims.x12_mapping import claim_place_of_service, claim_provider, to_x12
from openiop.insurance.clearinghouse import Clearinghouse, clearinghouse
from openiop.insurance.models import AuthorizationStatus, ClaimType, Payer, PayerService
from openiop.insurance.services import next_control_numbers
from openiop.sites.models import Organization
from openiop.x12 import claims as x12
from openiop.x12.envelope import Envelope
from openiop.x12.institutional import build_837i
from openiop.x12.institutional import claim_problems as institutional_problems
from openiop.x12.npi import is_valid_npi
from openiop.x12.professional import build_837p
from openiop.x12.professional import claim_problems as professional_problems
from openiop.x12.validate import validate

PERIODS = ("month", "week")
DISCHARGED_HOME = "01"
CLAIMS_BUILD_LOCK = 837_001  # the advisory lock key claims_build holds on PostgreSQL


class ClaimsRefused(ValidationError):
    """Nothing can be built (the organization's billing identity is missing or wrong)."""


@dataclass
class BuildResult:
    files: list[Path] = field(default_factory=list)
    built: list[Claim] = field(default_factory=list)
    stopped: list[Claim] = field(default_factory=list)
    # Claims the scrubber passed that the X12 writer or pyx12 then refused
    # (also in ``stopped``): what valid_share counts against.
    unwritable: list[Claim] = field(default_factory=list)


# --- Billing identity -------------------------------------------------------------------------------------------------


def billing_identity(organization: Organization) -> tuple[str, str]:
    """The organization's NPI and EIN, checked; ClaimsRefused says what to enter."""
    npi = (organization.npi or "").strip()
    tax_id = re.sub(r"[^0-9]", "", organization.tax_id or "")
    if not npi:
        raise ClaimsRefused("Enter the organization's NPI (Django admin, Organizations) before building claims.")
    if not is_valid_npi(npi):
        raise ClaimsRefused(f"The organization's NPI {npi} fails the check digit (Luhn over 80840); correct it.")
    if len(tax_id) != 9:
        raise ClaimsRefused("Enter the organization's 9-digit tax ID (EIN) before building claims.")
    return npi, tax_id


# --- Grouping ---------------------------------------------------------------------------------------------------------


def period_start(day: dt.date, period: str) -> dt.date:
    return day.replace(day=1) if period == "month" else day - dt.timedelta(days=day.weekday())


def _claim_type(charge: Charge, setups: dict[tuple[int, str], PayerService]) -> str:
    """Per-diem days go the way the payer's set-up for the level of care says
    (837I unless it says 837P); professional services, tests and intakes 837P."""
    if charge.kind != ChargeKind.PER_DIEM:
        return ClaimType.PROFESSIONAL
    setup = setups.get((charge.payer_id or 0, charge.episode.level_of_care))
    return setup.claim_type if setup else ClaimType.INSTITUTIONAL


def _lock_claims_build() -> None:
    """Serialize claim builds, so that two runs at once (the command and the
    page, two workers) never put one charge on two claims. Held until the
    surrounding transaction ends. PostgreSQL: a transaction-level advisory
    lock; SQLite: an empty write takes the database's write lock now rather
    than at the first insert, after the charges were read."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIMS_BUILD_LOCK])
    else:
        Claim.objects.filter(pk__lt=0).update(updated_at=timezone.now())


def _ready_charges(payer: Payer | None, through: dt.date) -> list[Charge]:
    charges = (
        Charge.objects.filter(status=ChargeStatus.READY, payer__isnull=False, coverage__isnull=False)
        .filter(service_date__lte=through)
        .exclude(pk__in=billing_lines().values("charge_id"))
        .select_related(
            "patient", "episode__primary_counsellor", "site__organization", "coverage", "payer", "authorization"
        )
        # The attending or rendering provider's NPI comes along (claim_provider reads it).
        .select_related("note__author__provider_number", "episode__primary_counsellor__provider_number")
        .order_by("patient_id", "service_date", "pk")
    )
    if payer is not None:
        charges = charges.filter(payer=payer)
    return list(charges)


# --- Building ---------------------------------------------------------------------------------------------------------


@dataclass
class _Group:
    claim_type: str
    charges: list[Charge]

    @property
    def first(self) -> Charge:
        return self.charges[0]


def _frequency(group: _Group, end: dt.date, facts: BatchFacts) -> tuple[str, str]:
    """(CLM05-3 frequency, patient status). Institutional claims of a patient
    still in treatment are interim (2 first, 3 continuing) with status 30."""
    if group.claim_type == ClaimType.PROFESSIONAL:
        return "1", ""
    episode = group.first.episode
    earlier = facts.has_institutional(episode.pk, group.first.payer_id or 0)
    if episode.discharge_date is not None and episode.discharge_date <= end:
        return ("4" if earlier else "1"), DISCHARGED_HOME
    return ("3" if earlier else "2"), "30"


def _control_number(organization: Organization, pk: int) -> str:
    return f"{organization.mrn_prefix}C{pk:08d}"[:20]


def scrub_group(
    group: _Group,
    *,
    today: dt.date,
    diagnoses: list[str],
    facts: BatchFacts | None = None,
    ignoring_claim_id: int | None = None,
) -> tuple[list[scrubber.Problem], Any, ProviderNumber | None]:
    """The scrubber's findings for GROUP's charges, with the claim's provider
    and NPI. FACTS are the batch's (fetched for GROUP alone when not given).
    IGNORING_CLAIM_ID is the claim a corrected claim replaces: its lines
    neither overlap nor use the authorization a second time."""
    from openiop.diagnoses.codes import is_billable

    charges = group.charges
    first = group.first
    assert first.payer is not None and first.coverage is not None
    if facts is None:
        facts = BatchFacts.load(charges, ignoring_claim_id=ignoring_claim_id)
    start = min(charge.service_date for charge in charges)
    end = max(charge.service_date for charge in charges)
    user, number = claim_provider(group.claim_type, charges)
    billed_under = facts.units_billed({c.authorization_id for c in charges if c.authorization_id})
    claim_place = claim_place_of_service(first.payer) if group.claim_type == ClaimType.PROFESSIONAL else ""
    lines = []
    for charge in charges:
        authorization = charge.authorization
        covers = exceeded = False
        if authorization is not None:
            covers = authorization.covers(charge.service_date) and authorization.status == AuthorizationStatus.APPROVED
            billed_under[authorization.pk] += charge.units
            exceeded = billed_under[authorization.pk] > authorization.units_authorized
        lines.append(
            scrubber.LineFacts(
                service_date=charge.service_date,
                code=charge.code,
                revenue_code=charge.revenue_code,
                authorization_number=authorization.number if authorization else "",
                authorization_covers=covers,
                authorization_exceeded=exceeded,
                coverage_active=first.coverage.in_force_on(charge.service_date),
                overlapping_claim=facts.billing_day(first.patient_id, charge.service_date, charge.code),
                place_of_service=(charge.place_of_service or claim_place) if claim_place else "",
                modifiers=tuple(charge.modifiers or ()),
            )
        )
    earlier, php = ("", "")
    if first.payer.is_medicare:
        earlier, php = facts.medicare(first.patient_id, first.payer.pk, start, end)
    claim_facts = scrubber.ClaimFacts(
        claim_type=group.claim_type,
        provider_npi=number.npi if number else "",
        provider_taxonomy=number.taxonomy if number else "",
        diagnoses=tuple(diagnoses),
        lines=tuple(lines),
        statement_start=start,
        authorization_required=first.payer.authorization_required,
        timely_filing_days=first.payer.timely_filing_days,
        is_medicare=first.payer.is_medicare,
        unremitted_earlier_claim=earlier,
        php_claim_nearby=php,
    )
    return scrubber.scrub(claim_facts, today=today, is_billable=is_billable), user, number


class _ClaimBatch:
    """Claims made from groups in order, saved together: one INSERT for the
    claims, one UPDATE for their control numbers (they carry the claim's
    id) and one INSERT for their lines per batch, rather than three per
    claim. Each claim is scrubbed against the batch's facts, which already
    count the claims made before it."""

    def __init__(self, *, actor: Any, today: dt.date, facts: BatchFacts) -> None:
        self.actor = actor
        self.today = today
        self.facts = facts
        self.pending: list[tuple[Claim, list[Charge]]] = []
        facts.save_pending = self.save

    def add(self, group: _Group, *, diagnoses: list[str]) -> Claim:
        charges = group.charges
        first = group.first
        assert first.payer is not None and first.coverage is not None
        start = min(charge.service_date for charge in charges)
        end = max(charge.service_date for charge in charges)
        frequency, patient_status = _frequency(group, end, self.facts)
        problems, user, number = scrub_group(group, today=self.today, diagnoses=diagnoses, facts=self.facts)
        stopped = bool(scrubber.blocking(problems))
        claim = Claim(
            patient=first.patient,
            episode=first.episode,
            site=first.site,
            payer=first.payer,
            coverage=first.coverage,
            claim_type=group.claim_type,
            frequency=frequency,
            patient_status=patient_status,
            patient_control_number=secrets.token_hex(10),  # until the claim has its id
            statement_start=start,
            statement_end=end,
            total=sum((charge.amount for charge in charges), Decimal(0)),
            status=ClaimStatus.SCRUBBER_REJECTED if stopped else ClaimStatus.BUILT,
            problems=[problem.message for problem in problems],
            created_by=self.actor,
        )
        claim._facts = {"diagnoses": diagnoses, "provider": user, "number": number}  # type: ignore[attr-defined]
        self.pending.append((claim, charges))
        self.facts.record(claim, charges)
        return claim

    def save(self) -> None:
        """Save the pending claims and their lines, each claim audited."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        claims = Claim.objects.bulk_create([claim for claim, _charges in pending])
        organization = pending[0][1][0].site.organization
        for claim in claims:
            claim.patient_control_number = _control_number(organization, claim.pk)
        Claim.objects.bulk_update(claims, ["patient_control_number"])
        ClaimLine.objects.bulk_create(
            ClaimLine(
                claim=claim,
                charge=charge,
                code=charge.code,
                modifiers=list(charge.modifiers or []),
                revenue_code=charge.revenue_code,
                units=charge.units,
                amount=charge.amount,
                service_date=charge.service_date,
                line_control_number=f"{claim.patient_control_number}-{number}",
            )
            for claim, charges in pending
            for number, charge in enumerate(charges, start=1)
        )
        for claim in claims:
            log_action(
                "claim.build",
                obj=claim,
                actor=self.actor,
                data={"claim": claim.patient_control_number, "status": claim.status},
            )


def claim_copy_create(*, actor: Any, source: Claim, action: str, data: dict[str, Any], **fields: Any) -> Claim:
    """A claim billing SOURCE's lines again (a secondary claim, a corrected
    claim or a void): SOURCE's patient, episode, site, dates and total unless
    FIELDS say otherwise, its lines copied in order, audited as ACTION with
    DATA and the new claim's number."""
    claim = Claim.objects.create(
        **{
            "patient_id": source.patient_id,
            "episode": source.episode,
            "site": source.site,
            "payer": source.payer,
            "coverage": source.coverage,
            "claim_type": source.claim_type,
            "frequency": source.frequency,
            "patient_status": source.patient_status,
            "statement_start": source.statement_start,
            "statement_end": source.statement_end,
            "total": source.total,
            "created_by": actor,
            **fields,
            "patient_control_number": f"tmp{source.pk}-{timezone.now().timestamp()}"[:20],
        }
    )
    claim.patient_control_number = _control_number(source.site.organization, claim.pk)
    claim.save(update_fields=["patient_control_number"])
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            charge_id=line.charge_id,
            code=line.code,
            modifiers=line.modifiers,
            revenue_code=line.revenue_code,
            units=line.units,
            amount=line.amount,
            service_date=line.service_date,
            line_control_number=f"{claim.patient_control_number}-{number}",
        )
        for number, line in enumerate(source.lines.order_by("service_date", "pk"), start=1)
    )
    log_action(action, obj=claim, actor=actor, data={"claim": claim.patient_control_number, **data})
    return claim


def _stop(claims: Iterable[Claim], problems: list[str], actor: Any) -> None:
    for claim in claims:
        claim.status = ClaimStatus.SCRUBBER_REJECTED
        claim.problems = [*claim.problems, *problems][:30]
        claim.updated_at = timezone.now()
        claim.save(update_fields=["status", "problems", "updated_at"])
        log_action("claim.stop", obj=claim, actor=actor, data={"claim": claim.patient_control_number})


def write_claim_file(
    claims: list[Claim], *, actor: Any, connection: Clearinghouse | None = None, workers: int = 1
) -> Path | None:
    """Write CLAIMS (one payer, one claim type) as one X12 file in the outbox,
    after pyx12 passes it; None when nothing could be sent (the claims that
    could not are stopped with the reason)."""
    if not claims:
        return None
    organization = claims[0].site.organization
    npi, tax_id = billing_identity(organization)
    payer = claims[0].payer
    claim_type = claims[0].claim_type
    # Every claim's lines (with the authorization each bills under) in one query.
    prefetch_related_objects(
        claims, Prefetch("lines", queryset=ClaimLine.objects.select_related("charge__authorization"))
    )
    written = {claim.pk: to_x12(claim, npi=npi, tax_id=tax_id) for claim in claims}
    check = institutional_problems if claim_type == ClaimType.INSTITUTIONAL else professional_problems
    by_number = {claim.patient_control_number: claim for claim in claims}
    for bad, reason in check(list(written.values())):  # type: ignore[arg-type]
        _stop([by_number[bad.patient_control_number]], [reason], actor)
        written = {pk: value for pk, value in written.items() if value is not bad}
    good = [claim for claim in claims if claim.pk in written]
    if not good:
        return None
    interchange_number, group_number = next_control_numbers(sender_id=npi)
    envelope = Envelope(
        sender_id=npi,
        receiver_id=payer.payer_id[:15],
        interchange_control_number=interchange_number,
        group_control_number=group_number,
        created=timezone.now(),
        usage="T" if settings.DEBUG else "P",
    )
    site = good[0].site
    phone = re.sub(r"[^0-9]", "", site.phone or "")
    submitter = x12.Submitter(
        name=organization.name,
        identifier=npi,
        contact_name="Billing office",
        contact_phone=phone if len(phone) == 10 else "",
        contact_email="" if len(phone) == 10 else (settings.DEFAULT_FROM_EMAIL or "billing@example.org"),
    )
    receiver = x12.Receiver(payer.name, payer.payer_id)
    builder = build_837i if claim_type == ClaimType.INSTITUTIONAL else build_837p
    text = builder(
        submitter=submitter,
        receiver=receiver,
        claims=[written[claim.pk] for claim in good],  # type: ignore[misc]
        envelope=envelope,
    )
    errors = validate(text, workers=workers)
    if errors:
        _stop(good, [f"pyx12: {error}" for error in errors[:10]], actor)
        return None
    kind = "837I" if claim_type == ClaimType.INSTITUTIONAL else "837P"
    name = f"{kind}-{payer.payer_id}-{interchange_number:09d}.x12"
    path = (connection or clearinghouse()).send(name, text)
    now = timezone.now()
    with transaction.atomic():
        for claim in good:
            claim.interchange_control_number = interchange_number
            claim.group_control_number = group_number
            claim.file_name = path.name
            claim.updated_at = now
        Claim.objects.filter(pk__in=[claim.pk for claim in good]).update(
            interchange_control_number=interchange_number,
            group_control_number=group_number,
            file_name=path.name,
            updated_at=now,
        )
        # Billing's charge statuses are B1's; billed is the one move that
        # belongs to claims (a charge on a claim that went out), made here.
        charge_ids = list(ClaimLine.objects.filter(claim__in=good).values_list("charge_id", flat=True))
        Charge.objects.filter(pk__in=charge_ids, status=ChargeStatus.READY).update(status=ChargeStatus.BILLED)
        from openiop.claims.jobs import read_answers_soon

        read_answers_soon()
        log_action(
            "claims.file_written",
            actor=actor,
            data={"file": path.name, "claims": [claim.patient_control_number for claim in good], "payer": payer.pk},
        )
    return path


def claims_build(
    *,
    actor: Any,
    payer: Payer | None = None,
    through: dt.date | None = None,
    period: str = "month",
    connection: Clearinghouse | None = None,
    workers: int = 1,
) -> BuildResult:
    """Build claims for every ready charge (of PAYER, on or before THROUGH)
    and write the files that pass pyx12 to the clearinghouse outbox."""
    from openiop.diagnoses.selectors import claim_diagnoses

    if period not in PERIODS:
        raise ClaimsRefused(f"The billing period is a month or a week, not {period!r}.")
    today = timezone.localdate()
    through = through or today
    result = BuildResult()
    by_file: dict[tuple[Any, str], list[Claim]] = defaultdict(list)
    # Choosing the charges and putting them on claims is one transaction under
    # the build lock (and one commit, not one per claim); the files are
    # written after it, each marking its own claims.
    with transaction.atomic():
        _lock_claims_build()
        charges = _ready_charges(payer, through)
        if charges:
            billing_identity(charges[0].site.organization)
        # Claims the scrubber stopped last time are built afresh from their charges.
        Claim.objects.filter(status=ClaimStatus.SCRUBBER_REJECTED, lines__charge__in=charges).distinct().delete()
        setups = {
            (setup.payer_id, setup.level_of_care): setup
            for setup in PayerService.objects.filter(payer_id__in={c.payer_id for c in charges})
        }
        groups: dict[tuple[Any, ...], _Group] = {}
        for charge in charges:
            claim_type = _claim_type(charge, setups)
            key = (
                charge.payer_id,
                charge.coverage_id,
                charge.patient_id,
                claim_type,
                period_start(charge.service_date, period),
            )
            groups.setdefault(key, _Group(claim_type, [])).charges.append(charge)
        # The diagnoses that applied on each claim's last day: one query per
        # distinct last day, not one per claim.
        patients_by_end: dict[dt.date, list[int]] = defaultdict(list)
        for group in groups.values():
            patients_by_end[max(charge.service_date for charge in group.charges)].append(group.first.patient_id)
        diagnoses_on = {end: claim_diagnoses(ids, end) for end, ids in patients_by_end.items()}
        batch = _ClaimBatch(actor=actor, today=today, facts=BatchFacts.load(charges))
        for key, group in sorted(groups.items(), key=lambda item: (item[0][4], item[0][2], item[0][3])):
            end = max(charge.service_date for charge in group.charges)
            claim = batch.add(group, diagnoses=diagnoses_on[end][group.first.patient_id])
            if claim.status == ClaimStatus.BUILT:
                by_file[(key[0], key[3])].append(claim)
            else:
                result.stopped.append(claim)
        batch.save()
        for primary, coverage in claims_needing_secondary():
            if payer is None or coverage.payer_id == payer.pk:
                claim = secondary_claim_create(actor=actor, primary=primary, coverage=coverage)
                by_file[(coverage.payer_id, claim.claim_type)].append(claim)
    # Files in a stable order (payer identifier, claim type), whatever order the rows came in.
    for _key, claims in sorted(by_file.items(), key=lambda item: (item[1][0].payer.payer_id, item[0][1])):
        path = write_claim_file(claims, actor=actor, connection=connection, workers=workers)
        statuses = dict(Claim.objects.filter(pk__in=[claim.pk for claim in claims]).values_list("pk", "status"))
        for claim in claims:
            claim.status = statuses[claim.pk]
            if claim.status == ClaimStatus.BUILT:
                result.built.append(claim)
            else:
                result.stopped.append(claim)
                result.unwritable.append(claim)
        if path is not None:
            result.files.append(path)
    return result
