# SPDX-License-Identifier: AGPL-3.0-or-later
"""Charges kept in step with what happened: ``charges_sync``.

Idempotent: it recomputes what should be charged (``wanted``), compares it
with the standing charges, and
- creates what is missing,
- voids (never edits) a charge whose substance changed (code, units, payer,
  the attendance or note it stands on) and creates its replacement,
- voids a charge that should no longer exist (attendance corrected to
  absent, the week no longer reaching the payer's per-diem rule),
- moves a charge between held and ready as its reasons appear and clear.
Billed charges are left alone: correcting a billed claim is the claims
work's (a replacement claim), not a silent change here.

Authorization draw-down: a per-diem charge under a payer that requires an
authorization takes one unit of the approved authorization covering its
date and code. The authorization rows are locked (``select_for_update``)
and ``units_used`` is recounted as the number of standing charges drawing on
each, so voiding a charge gives its unit back and two saves never lose one.
Every change is audited: one ``billing.charges.sync`` event per patient
listing what was created, voided, held and released.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openiop.audit.services import log_action
from openiop.billing.models import Charge, ChargeKind, ChargeStatus, FeeSchedule
from openiop.billing.rules import HoldReason, order_hold_reasons
from openiop.billing.services.facts import ALL_KINDS, gather
from openiop.billing.services.wanted import Wanted, charge_identity, charge_key, wanted_charges
from openiop.insurance.models import Authorization


@dataclass
class SyncResult:
    created: list[Charge] = field(default_factory=list)
    voided: list[Charge] = field(default_factory=list)
    held: list[Charge] = field(default_factory=list)
    released: list[Charge] = field(default_factory=list)
    authorizations: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.voided or self.held or self.released)

    def merge(self, other: SyncResult) -> None:
        self.created += other.created
        self.voided += other.voided
        self.held += other.held
        self.released += other.released
        self.authorizations = sorted(set(self.authorizations) | set(other.authorizations))


def claim_diagnoses(patient_ids: list[int], on: dt.date) -> dict[int, list[str]] | None:
    """The diagnoses app's claim diagnoses (REVENUE.md contract), or None
    while that app has no selector yet (then nothing is held for it)."""
    try:
        from openiop.diagnoses.selectors import claim_diagnoses as lookup  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    found: dict[int, list[str]] = lookup(patient_ids, on)
    return found


def billing_set_up() -> bool:
    """Billing starts once the program has priced something: until the
    first fee schedule row, nothing is charged (a program that does not bill,
    or has not set billing up yet, does not pile up held charges). After
    pricing the first codes, ``manage.py charges_sync`` charges the past."""
    return FeeSchedule.objects.exists()


def whole_weeks(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The per-diem rule looks at the whole ISO week, so sync whole weeks."""
    return start - dt.timedelta(days=start.weekday()), end + dt.timedelta(days=6 - end.weekday())


def charges_sync(*, patient_id: int, start: dt.date, end: dt.date, actor: Any) -> SyncResult:
    """Bring PATIENT_ID's charges between START and END (widened to whole
    ISO weeks) in line with attendance, signed notes, drug tests and the
    intake assessment; see the module's docstring."""
    return charges_sync_many(patient_ids=[patient_id], start=start, end=end, actor=actor)


@transaction.atomic
def charges_sync_many(
    *, patient_ids: Iterable[int], start: dt.date, end: dt.date, actor: Any, kinds: Iterable[str] | None = None
) -> SyncResult:
    """``charges_sync`` for many patients at once, in a fixed number of
    queries. KINDS limits the work to charges of those kinds (a saved
    attendance changes per-diem days only); by default every kind."""
    ids = sorted(set(patient_ids))
    only = frozenset(kinds) if kinds is not None else ALL_KINDS
    if end < start:
        raise ValueError("end must not be before start")
    start, end = whole_weeks(start, end)
    result = SyncResult()
    if not ids or not billing_set_up():
        return result
    facts = gather(ids, start, end, only)
    wanted = wanted_charges(facts, ids, claim_diagnoses, only)
    _apply(ids, start, end, wanted, actor, result, only)
    _release_freed_units(ids, start, end, result, actor)
    return result


def _apply(
    ids: list[int],
    start: dt.date,
    end: dt.date,
    wanted: list[Wanted],
    actor: Any,
    result: SyncResult,
    kinds: frozenset[str] = ALL_KINDS,
) -> None:
    existing = list(
        Charge.objects.select_for_update()
        .filter(patient_id__in=ids, service_date__gte=start, service_date__lte=end, kind__in=sorted(kinds))
        .exclude(status=ChargeStatus.VOIDED)
        .order_by("service_date", "pk")
    )
    standing: dict[tuple[int, tuple[Any, ...]], Charge] = {}
    to_void: list[tuple[Charge, str]] = []
    for charge in existing:
        slot = (charge.patient_id, charge_key(charge))
        if slot in standing:  # a duplicate should never exist; keep the first
            to_void.append((charge, "duplicate of another standing charge"))
        else:
            standing[slot] = charge
    keep: list[tuple[Wanted, Charge]] = []
    create: list[tuple[Wanted, Charge | None]] = []
    for item in wanted:
        current = standing.pop((item.patient_id, item.key), None)
        if current is None:
            create.append((item, None))
        elif current.status == ChargeStatus.BILLED:
            continue
        elif charge_identity(current) != item.identity or (current.fee_schedule_id is None and item.fee is not None):
            to_void.append((current, _difference(current, item)))
            create.append((item, current))
        else:
            keep.append((item, current))
    for current in standing.values():
        if current.status != ChargeStatus.BILLED:
            to_void.append((current, _gone_reason(current)))

    authorizations = _lock_authorizations(wanted, keep, to_void)
    voided_ids = {charge.pk for charge, _ in to_void}
    used = _units_in_use(authorizations, exclude=voided_ids)
    _draw_down([item for item, _ in keep] + [item for item, _ in create], keep, authorizations, used)

    now = timezone.now()
    changes: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for charge, reason in to_void:
        charge.status = ChargeStatus.VOIDED
        charge.voided_at = now
        charge.void_reason = reason[:300]
        changes[charge.patient_id]["voided"].append(_summary(charge, reason=reason))
        result.voided.append(charge)
    if to_void:
        Charge.objects.bulk_update([charge for charge, _ in to_void], ["status", "voided_at", "void_reason"])

    for item, current in keep:
        reasons = order_hold_reasons(item.holds)
        status = ChargeStatus.HELD if reasons else ChargeStatus.READY
        authorization_id = getattr(item, "authorization_id", None)
        if (
            reasons == current.hold_reasons
            and status == current.status
            and authorization_id == current.authorization_id
        ):
            continue
        was = current.status
        current.hold_reasons, current.status, current.authorization_id = reasons, status, authorization_id
        current.save(update_fields=["hold_reasons", "status", "authorization"])
        if status == ChargeStatus.READY and was == ChargeStatus.HELD:
            result.released.append(current)
            changes[current.patient_id]["released"].append(_summary(current))
        elif status == ChargeStatus.HELD:
            result.held.append(current)
            changes[current.patient_id]["held"].append(_summary(current))

    new_charges = [_new_charge(item, replaced, now) for item, replaced in create]
    if new_charges:
        Charge.objects.bulk_create(new_charges)
    for charge in new_charges:
        result.created.append(charge)
        changes[charge.patient_id]["created"].append(_summary(charge))

    touched = set(authorizations) | {c.authorization_id for c, _ in to_void if c.authorization_id}
    _recount_units(touched)
    result.authorizations = sorted(touched)
    for patient_id, patient_changes in changes.items():
        log_action(
            "billing.charges.sync",
            actor=actor,
            patient_id=patient_id,
            data={"start": start.isoformat(), "end": end.isoformat(), **patient_changes},
        )


def _difference(current: Charge, item: Wanted) -> str:
    if current.code != item.code or current.units != item.units:
        return f"replaced: now {item.code} x{item.units}"
    if current.payer_id != item.payer_id or current.coverage_id != (item.coverage.pk if item.coverage else None):
        return "replaced: the coverage in force changed"
    if tuple(sorted(current.attendance_ids or ())) != tuple(sorted(item.attendance_ids)):
        return "replaced: the day's attendance was corrected"
    if current.place_of_service != item.place_of_service or tuple(current.modifiers or ()) != item.modifiers:
        return "replaced: the note's place of service or modality changed"
    if current.fee_schedule_id is None and item.fee is not None:
        return "replaced: the fee schedule now prices this code"
    return "replaced: what the charge stands on changed"


def _gone_reason(charge: Charge) -> str:
    if charge.kind == ChargeKind.PER_DIEM:
        return "no longer a billable day (attendance corrected or the week below the payer's per-diem rule)"
    if charge.kind == ChargeKind.PROFESSIONAL:
        return "the note no longer supports a professional charge"
    if charge.kind == ChargeKind.DRUG_TEST:
        return "no drug test recorded on that date any more"
    return "no intake assessment on that date any more"


def _summary(charge: Charge, **extra: Any) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "date": charge.service_date.isoformat(),
        "code": charge.code,
        "status": charge.status,
        "hold_reasons": list(charge.hold_reasons),
        "authorization": charge.authorization_id,
        **extra,
    }


def _new_charge(item: Wanted, replaced: Charge | None, now: dt.datetime) -> Charge:
    reasons = order_hold_reasons(item.holds)
    fee = item.fee
    return Charge(
        patient_id=item.patient_id,
        episode_id=item.episode_id,
        site_id=item.site_id,
        coverage=item.coverage,
        payer_id=item.payer_id,
        authorization_id=getattr(item, "authorization_id", None),
        fee_schedule=fee,
        service_date=item.service_date,
        kind=item.kind,
        code=item.code,
        revenue_code=item.revenue_code,
        modifiers=list(item.modifiers),
        place_of_service=item.place_of_service,
        units=item.units,
        amount=fee.charge_amount * item.units if fee is not None else 0,
        expected_amount=fee.expected_amount * item.units if fee is not None else 0,
        attendance_ids=list(item.attendance_ids),
        note_id=item.note_id,
        specimen_id=item.specimen_id,
        placement_id=item.placement_id,
        status=ChargeStatus.HELD if reasons else ChargeStatus.READY,
        hold_reasons=reasons,
        replaces=replaced,
        created_at=now,
    )


def _lock_authorizations(
    wanted: list[Wanted], keep: list[tuple[Wanted, Charge]], to_void: list[tuple[Charge, str]]
) -> dict[int, Authorization]:
    ids = {pk for item in wanted for pk in item.authorization_ids}
    ids |= {charge.authorization_id for _, charge in keep if charge.authorization_id}
    ids |= {charge.authorization_id for charge, _ in to_void if charge.authorization_id}
    if not ids:
        return {}
    return {row.pk: row for row in Authorization.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _units_in_use(authorizations: dict[int, Authorization], *, exclude: set[int]) -> Counter[int]:
    if not authorizations:
        return Counter()
    rows = (
        Charge.objects.filter(authorization_id__in=list(authorizations))
        .exclude(status=ChargeStatus.VOIDED)
        .exclude(pk__in=exclude)
        .values("authorization_id")
        .annotate(count=Count("pk"))
    )
    return Counter({row["authorization_id"]: row["count"] for row in rows})


def _draw_down(
    items: list[Wanted],
    keep: list[tuple[Wanted, Charge]],
    authorizations: dict[int, Authorization],
    used: Counter[int],
) -> None:
    """Give each wanted charge that needs an authorization one unit of one
    that covers it, earliest days first; a kept charge keeps the unit it
    holds. Sets ``authorization_id`` on each item and the hold reasons."""
    kept_by_item = {id(item): charge for item, charge in keep}
    # Units held by kept charges are counted in USED; release those that no
    # longer fit (authorization cancelled, dates or code changed).
    for item, charge in keep:
        if charge.authorization_id and charge.authorization_id not in item.authorization_ids:
            used[charge.authorization_id] -= 1
    for item in sorted(items, key=lambda w: (w.service_date, w.patient_id)):
        item.authorization_id = None  # type: ignore[attr-defined]
        if not item.needs_authorization:
            continue
        kept = kept_by_item.get(id(item))
        if kept is not None and kept.authorization_id in item.authorization_ids:
            item.authorization_id = kept.authorization_id  # type: ignore[attr-defined]
            continue
        candidates = [authorizations[pk] for pk in item.authorization_ids if pk in authorizations]
        if not candidates:
            item.holds.add(HoldReason.NO_AUTHORIZATION)
            continue
        for authorization in candidates:
            if used[authorization.pk] < authorization.units_authorized:
                used[authorization.pk] += 1
                item.authorization_id = authorization.pk  # type: ignore[attr-defined]
                break
        else:
            item.holds.add(HoldReason.AUTHORIZATION_USED_UP)


def _recount_units(authorization_ids: Iterable[int]) -> None:
    ids = sorted(set(authorization_ids))
    if not ids:
        return
    counts = Counter(
        {
            row["authorization_id"]: row["count"]
            for row in Charge.objects.filter(authorization_id__in=ids)
            .exclude(status=ChargeStatus.VOIDED)
            .values("authorization_id")
            .annotate(count=Count("pk"))
        }
    )
    rows = list(Authorization.objects.filter(pk__in=ids))
    changed = [row for row in rows if row.units_used != counts[row.pk]]
    for row in changed:
        row.units_used = counts[row.pk]
    if changed:
        Authorization.objects.bulk_update(changed, ["units_used"])


def _release_freed_units(ids: list[int], start: dt.date, end: dt.date, result: SyncResult, actor: Any) -> None:
    """A unit given back here may release a charge held as "used up" in
    another week: sync those weeks too (once; they cannot free more)."""
    if not result.voided or not result.authorizations:
        return
    freed = [
        row
        for row in Authorization.objects.filter(pk__in=result.authorizations)
        if row.units_used < row.units_authorized
    ]
    if not freed:
        return
    waiting = [
        charge
        for charge in Charge.objects.filter(patient_id__in=ids, status=ChargeStatus.HELD, kind=ChargeKind.PER_DIEM)
        .exclude(service_date__gte=start, service_date__lte=end)
        .only("patient_id", "service_date", "hold_reasons")
        if HoldReason.AUTHORIZATION_USED_UP.value in charge.hold_reasons
        and any(row.patient_id == charge.patient_id and row.covers(charge.service_date) for row in freed)
    ]
    if not waiting:
        return
    first = min(charge.service_date for charge in waiting)
    last = max(charge.service_date for charge in waiting)
    more = SyncResult()
    wider_start, wider_end = whole_weeks(first, last)
    patients = sorted({charge.patient_id for charge in waiting})
    facts = gather(patients, wider_start, wider_end)
    _apply(patients, wider_start, wider_end, wanted_charges(facts, patients, claim_diagnoses), actor, more)
    result.merge(more)
