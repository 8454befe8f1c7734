# SPDX-License-Identifier: AGPL-3.0-or-later
"""What should be charged, computed from the facts (see ``facts.gather``):
one per-diem line per billable day, one professional line per signed
individual or family note, one presumptive drug test per date of service,
the intake assessment. Holds that depend on documentation, coverage, the
diagnosis list and the fee schedule are decided here; the authorization
hold needs the rows locked and is decided when the charges are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from openiop.billing import rules
from openiop.billing.models import ChargeKind
from openiop.billing.rules import HoldReason
from openiop.billing.services.facts import ALL_KINDS, Attended, Facts
from openiop.insurance.models import Coverage, Payer
from openiop.patients.models import LevelOfCare
from openiop.scheduling import hours
from openiop.treatment.models import Note

# Revenue codes when neither the payer's set-up nor the fee schedule names
# one (UB-04: 0906 intensive outpatient, chemical dependency; 0905
# intensive outpatient, psychiatric).
DEFAULT_REVENUE_CODES = {"H0015": "0906", "H2036": "0906", "S9480": "0905"}
# Levels of care billed per diem when the payer has no set-up of its own.
DEFAULT_PER_DIEM_CODES = {LevelOfCare.IOP.value: "H0015"}

DiagnosisLookup = Callable[[list[int], dt.date], "dict[int, list[str]] | None"]


@dataclass
class Wanted:
    """One charge that should exist."""

    kind: str
    patient_id: int
    episode_id: int
    site_id: int
    service_date: dt.date
    code: str
    revenue_code: str = ""
    units: int = 1
    attendance_ids: tuple[int, ...] = ()
    note_id: int | None = None
    # A professional line's place of service and telehealth modifier, from its note.
    place_of_service: str = ""
    modifiers: tuple[str, ...] = ()
    specimen_id: int | None = None
    placement_id: int | None = None
    coverage: Coverage | None = None
    fee: Any = None
    holds: set[HoldReason] = field(default_factory=set)
    # Candidate authorizations (date and code covered) when the payer wants one.
    needs_authorization: bool = False
    authorization_ids: tuple[int, ...] = ()

    @property
    def payer(self) -> Payer | None:
        return self.coverage.payer if self.coverage is not None else None

    @property
    def payer_id(self) -> int | None:
        return self.coverage.payer_id if self.coverage is not None else None

    @property
    def key(self) -> tuple[Any, ...]:
        if self.kind == ChargeKind.PROFESSIONAL:
            return (self.kind, self.note_id)
        return (self.kind, self.service_date)

    @property
    def identity(self) -> tuple[Any, ...]:
        """What a charge is: a difference in any of these voids and replaces it."""
        return (
            self.episode_id,
            self.site_id,
            self.coverage.pk if self.coverage is not None else None,
            self.payer_id,
            self.code,
            self.revenue_code,
            self.units,
            tuple(sorted(self.attendance_ids)),
            self.note_id,
            self.place_of_service,
            self.modifiers,
        )


def charge_key(charge: Any) -> tuple[Any, ...]:
    if charge.kind == ChargeKind.PROFESSIONAL:
        return (charge.kind, charge.note_id)
    return (charge.kind, charge.service_date)


def charge_identity(charge: Any) -> tuple[Any, ...]:
    return (
        charge.episode_id,
        charge.site_id,
        charge.coverage_id,
        charge.payer_id,
        charge.code,
        charge.revenue_code,
        charge.units,
        tuple(sorted(charge.attendance_ids or ())),
        charge.note_id,
        charge.place_of_service,
        tuple(charge.modifiers or ()),
    )


def wanted_charges(
    facts: Facts, patient_ids: Iterable[int], diagnoses: DiagnosisLookup, kinds: frozenset[str] = ALL_KINDS
) -> list[Wanted]:
    """Every charge of KINDS that should exist for PATIENT_IDS between the
    facts' start and end, with its holds (except the authorization's)."""
    makers = {
        ChargeKind.PER_DIEM: _per_diem,
        ChargeKind.PROFESSIONAL: _professional,
        ChargeKind.DRUG_TEST: _drug_tests,
        ChargeKind.INTAKE: _intake,
    }
    wanted: list[Wanted] = []
    for patient_id in sorted(set(patient_ids)):
        for kind, make in makers.items():
            if kind in kinds:
                wanted += make(facts, patient_id)
    _price_and_hold(facts, wanted, diagnoses)
    return wanted


def _per_diem_code(facts: Facts, coverage: Coverage | None, level: str) -> tuple[str, str] | None:
    if coverage is not None:
        service = facts.services.get((coverage.payer_id, level))
        if service is not None:
            return service.procedure_code, service.revenue_code
    code = DEFAULT_PER_DIEM_CODES.get(level)
    return (code, DEFAULT_REVENUE_CODES.get(code, "")) if code else None


def _documented(facts: Facts, patient_id: int, day: dt.date, rows: list[Attended]) -> bool:
    """Documentation first: every session attended that day has its signed
    note (a signed section of the group note for a group session; a signed
    note for each attended individual appointment)."""
    notes = facts.notes_by_day.get((patient_id, day))
    if notes is None:
        return False
    appointments = 0
    for row in rows:
        if row.session_id is not None:
            if row.session_id not in notes.signed_group_sessions and not notes.signed_unlinked_group:
                return False
        else:
            appointments += 1
    return notes.signed_other >= appointments


def _per_diem(facts: Facts, patient_id: int) -> list[Wanted]:
    rows = facts.attended.get(patient_id, [])
    if not rows:
        return []
    zone = facts.zone(rows[0].site_id)
    by_day: dict[dt.date, list[Attended]] = {}
    appointments = []
    for row in rows:
        if row.end <= row.start:
            continue
        appointments.append(
            hours.Appointment(row.start, row.end, min(row.minutes, _length(row)), key=str(row.attendance_id))
        )
        if row.attended and row.minutes > 0:
            by_day.setdefault(row.start.astimezone(zone).date(), []).append(row)
    weeks = hours.weekly_hours(appointments, tz=zone)
    eligible: dict[tuple[hours.IsoWeek, hours.PerDiemRule], tuple[dt.date, ...]] = {}
    result = []
    for day, day_rows in sorted(by_day.items()):
        if not facts.start <= day <= facts.end:
            continue
        episode = facts.episode_on(patient_id, day)
        episode_id = episode.pk if episode is not None else day_rows[0].episode_id
        level = episode.level_of_care if episode is not None else LevelOfCare.IOP.value
        coverage = facts.coverage_on(patient_id, day)
        codes = _per_diem_code(facts, coverage, level)
        if codes is None:
            continue
        code, revenue_code = codes
        rule = rules.per_diem_rule_for_payer(coverage.payer if coverage else None, code)
        week = hours.IsoWeek.of(day)
        if (week, rule) not in eligible:
            eligible[(week, rule)] = hours.eligible_days(weeks[week], rule) if week in weeks else ()
        if day not in eligible[(week, rule)]:
            continue
        charge = Wanted(
            kind=ChargeKind.PER_DIEM,
            patient_id=patient_id,
            episode_id=episode_id,
            site_id=day_rows[0].site_id,
            service_date=day,
            code=code,
            revenue_code=revenue_code,
            attendance_ids=tuple(sorted(row.attendance_id for row in day_rows)),
            coverage=coverage,
        )
        if not _documented(facts, patient_id, day, day_rows):
            charge.holds.add(HoldReason.UNSIGNED_NOTE)
        _authorization_candidates(facts, charge)
        result.append(charge)
    return result


def _length(row: Attended) -> int:
    return round((row.end - row.start).total_seconds() / 60)


def _professional(facts: Facts, patient_id: int) -> list[Wanted]:
    result = []
    for note in facts.billable_notes.get(patient_id, ()):
        minutes = note.minutes_attended if note.minutes_attended is not None else note.duration_minutes
        line = rules.professional_line(
            kind=note.kind, minutes=minutes, with_patient=note.participation != Note.Participation.ABSENT
        )
        if line is None:
            continue
        episode = next((e for e in facts.episodes.get(patient_id, ()) if e.pk == note.episode_id), None)
        result.append(
            Wanted(
                kind=ChargeKind.PROFESSIONAL,
                patient_id=patient_id,
                episode_id=note.episode_id,
                site_id=episode.site_id if episode is not None else 0,
                service_date=note.session_date,
                code=line.code,
                units=line.units,
                note_id=note.pk,
                place_of_service=note.place_of_service,
                modifiers=rules.telehealth_modifiers(note.modality),
                coverage=facts.coverage_on(patient_id, note.session_date),
            )
        )
    for charge in result:
        _authorization_candidates(facts, charge)
    return [charge for charge in result if charge.site_id]


def _drug_tests(facts: Facts, patient_id: int) -> list[Wanted]:
    result: dict[dt.date, Wanted] = {}
    for specimen in facts.specimens.get(patient_id, ()):
        day = specimen.collected_on
        if day in result:
            continue  # one presumptive test per date of service
        episode = facts.episode_on(patient_id, day)
        episode_id = specimen.episode_id or (episode.pk if episode is not None else None)
        if episode_id is None:
            continue
        result[day] = Wanted(
            kind=ChargeKind.DRUG_TEST,
            patient_id=patient_id,
            episode_id=episode_id,
            site_id=specimen.site_id,
            service_date=day,
            code=rules.PRESUMPTIVE_DRUG_TEST_CODE,
            specimen_id=specimen.pk,
            coverage=facts.coverage_on(patient_id, day),
        )
    for charge in result.values():
        _authorization_candidates(facts, charge)
    return list(result.values())


def _intake(facts: Facts, patient_id: int) -> list[Wanted]:
    """The intake assessment: the first decided placement (multidimensional
    assessment) of each episode, on the day it was decided."""
    result = []
    seen: set[int] = set()
    episodes = {episode.pk: episode for episode in facts.episodes.get(patient_id, ())}
    for placement in facts.placements.get(patient_id, ()):
        episode = episodes.get(placement.episode_id)
        if episode is None or episode.pk in seen:
            continue
        seen.add(episode.pk)
        day = placement.decided_at.astimezone(facts.zone(episode.site_id)).date()
        if not facts.start <= day <= facts.end:
            continue
        result.append(
            Wanted(
                kind=ChargeKind.INTAKE,
                patient_id=patient_id,
                episode_id=episode.pk,
                site_id=episode.site_id,
                service_date=day,
                code=rules.INTAKE_ASSESSMENT_CODE,
                placement_id=placement.pk,
                coverage=facts.coverage_on(patient_id, day),
            )
        )
    for charge in result:
        _authorization_candidates(facts, charge)
    return result


def _price_and_hold(facts: Facts, wanted: list[Wanted], diagnoses: DiagnosisLookup) -> None:
    by_date: dict[dt.date, list[Wanted]] = {}
    for charge in wanted:
        site = facts.sites[charge.site_id]
        charge.fee = facts.fee_for(
            site.organization_id, charge.payer_id, charge.site_id, charge.code, charge.service_date
        )
        if charge.fee is None:
            charge.holds.add(HoldReason.NO_FEE)
        elif not charge.revenue_code and charge.fee.revenue_code:
            charge.revenue_code = charge.fee.revenue_code
        if (
            charge.coverage is None
            and charge.patient_id in facts.has_coverage_on_file
            and not facts.self_pay_by_choice(charge.patient_id, charge.service_date)
        ):
            charge.holds.add(HoldReason.NO_COVERAGE)
        if charge.coverage is not None:
            # A claim needs a diagnosis; a self-pay statement does not.
            by_date.setdefault(charge.service_date, []).append(charge)
    for day, charges in by_date.items():
        found = diagnoses(sorted({charge.patient_id for charge in charges}), day)
        if found is None:
            continue  # no diagnosis list installed: nothing to hold on
        for charge in charges:
            if not found.get(charge.patient_id):
                charge.holds.add(HoldReason.NO_DIAGNOSIS)


def _authorization_candidates(facts: Facts, charge: Wanted) -> None:
    coverage = charge.coverage
    if coverage is not None and coverage.payer.authorization_required:
        charge.needs_authorization = True
        charge.authorization_ids = tuple(
            authorization.pk
            for authorization in facts.authorizations.get(charge.patient_id, ())
            if authorization.coverage_id == coverage.pk
            and authorization.service_code == charge.code
            and authorization.covers(charge.service_date)
        )
