# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signals from the apps below that billing follows (see ``connect``).

Each receiver runs inside the sender's transaction and re-syncs the charges
of the patients and weeks touched (``charges_sync_many``), so a failure
saves nothing and the charges are never behind what they stand on. The
per-diem rule looks at the whole ISO week, so a saved day syncs its week.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

# Signals other apps create this session; connected when their module exists.
OPTIONAL_SIGNALS: tuple[tuple[str, str, str], ...] = (
    ("openiop.insurance.signals", "coverage_changed", "on_coverage_changed"),
    ("openiop.insurance.signals", "authorization_changed", "on_authorization_changed"),
    ("openiop.diagnoses.signals", "diagnoses_changed", "on_diagnoses_changed"),
)
# How far back a coverage or diagnosis change re-checks charges (the
# timely-filing window of most payers; older charges are billed or lost).
RECHECK_DAYS = 90


def register_scopes() -> None:
    """Who reaches which billing rows: charges through their patient, fee
    schedules are the organization's reference data (like payers)."""
    from openiop.billing import models
    from openiop.core.access import everything, register_scope
    from openiop.patients.scopes import patient_at_users_sites

    register_scope(models.Charge, patient_at_users_sites("patient__"))
    register_scope(models.FeeSchedule, everything)


def _sync(
    patient_ids: set[int], start: dt.date, end: dt.date, actor: Any = None, kinds: Iterable[str] | None = None
) -> None:
    from openiop.billing.services import charges_sync_many

    if not patient_ids:
        return
    # Two saves for the same patient at once (two groups on one day) can both
    # decide that day's charge is missing; the database refuses the second
    # insert. The attendance must not fail for it: the second sync runs again
    # in a fresh savepoint, and then sees the charge the first one committed.
    for attempt in range(2):
        try:
            with transaction.atomic():
                charges_sync_many(patient_ids=patient_ids, start=start, end=end, actor=actor, kinds=kinds)
            return
        except IntegrityError:
            if attempt:
                raise


def on_attendance_saved(sender: Any, attendances: list[Any], actor: Any = None, **kwargs: Any) -> None:
    """Attendance recorded or corrected: sync each patient's week(s)."""
    if not attendances:
        return
    from openiop.billing.models import ChargeKind
    from openiop.scheduling.models import Attendance

    rows = (
        Attendance.objects.filter(pk__in=[row.pk for row in attendances])
        .select_related("enrolment__session__site", "appointment__site")
        .only(
            "enrolment__patient_id",
            "enrolment__session__start",
            "enrolment__session__site__time_zone",
            "appointment__patient_id",
            "appointment__start",
            "appointment__site__time_zone",
        )
    )
    patient_ids: set[int] = set()
    days: set[dt.date] = set()
    for row in rows:
        if row.enrolment is not None:
            patient_id, start, site = row.enrolment.patient_id, row.enrolment.session.start, row.enrolment.session.site
        elif row.appointment is not None:
            patient_id, start, site = row.appointment.patient_id, row.appointment.start, row.appointment.site
        else:
            continue
        patient_ids.add(patient_id)
        days.add(timezone.localtime(start, site.zone).date())
    if days:
        # Attendance makes per-diem days only; notes, tests and the intake
        # have their own signals.
        _sync(patient_ids, min(days), max(days), actor, kinds=[ChargeKind.PER_DIEM])


def on_note_changed(sender: Any, note: Any, **kwargs: Any) -> None:
    """A note signed or amended: its day's per-diem charge may release, and
    an individual or family note gets its professional charge."""
    _sync({note.patient_id}, note.session_date, note.session_date)


def on_drug_test_saved(sender: Any, specimen: Any, **kwargs: Any) -> None:
    _sync({specimen.patient_id}, specimen.collected_on, specimen.collected_on)


def _recent(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=RECHECK_DAYS), today


def on_coverage_changed(sender: Any, patient_id: int, **kwargs: Any) -> None:
    """Coverage changed: payer, rule, fee and hold on no coverage may change."""
    _sync({patient_id}, *_recent())


def on_authorization_changed(sender: Any, patient_id: int, authorization: Any = None, **kwargs: Any) -> None:
    """An authorization entered or changed: held days in its range may draw
    on it (or, if cancelled, lose it)."""
    if authorization is not None and getattr(authorization, "start_date", None) and authorization.end_date:
        end = min(authorization.end_date, timezone.localdate())
        start = min(authorization.start_date, end)
        _sync({patient_id}, start, end)
    else:
        _sync({patient_id}, *_recent())


def on_diagnoses_changed(sender: Any, patient_id: int, **kwargs: Any) -> None:
    _sync({patient_id}, *_recent())


def connect_optional_signals() -> list[str]:
    """Connect the receivers whose signal module exists; returns those connected."""
    connected = []
    for module_name, signal_name, receiver_name in OPTIONAL_SIGNALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        signal = getattr(module, signal_name, None)
        if signal is None:
            continue
        signal.connect(globals()[receiver_name], dispatch_uid=f"billing.{signal_name}")
        connected.append(signal_name)
    return connected


def connect() -> None:
    """Connect billing to the signals it follows."""
    # Scopes are registered here rather than in ui.py (the workspace's
    # module): apps.py calls connect() once, before ui.register().
    register_scopes()
    from openiop.medications.signals import drug_test_saved
    from openiop.scheduling.signals import attendance_saved
    from openiop.treatment.signals import note_corrected, note_signed

    attendance_saved.connect(on_attendance_saved, dispatch_uid="billing.attendance_saved")
    note_signed.connect(on_note_changed, dispatch_uid="billing.note_signed")
    note_corrected.connect(on_note_changed, dispatch_uid="billing.note_corrected")
    drug_test_saved.connect(on_drug_test_saved, dispatch_uid="billing.drug_test_saved")
    connect_optional_signals()
