# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for when patients can come and clinicians can see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import StaleEditError
from openiop.patients.models import Patient
from openiop.scheduling.models import ClinicianAvailability, PatientAvailability
from openiop.scheduling.services.common import _lock_rows
from openiop.sites.models import Site

# --- Availability ---------------------------------------------------------------------------------------------------


def _window_clash(rows: Iterable[Any], start: dt.time, end: dt.time) -> Any:
    return next((row for row in rows if row.start_time < end and start < row.end_time), None)


@transaction.atomic
def patient_availability_add(
    *, actor: User, patient: Patient, kind: str, weekday: int, start_time: dt.time, end_time: dt.time, note: str = ""
) -> PatientAvailability:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    clash = _window_clash(PatientAvailability.objects.filter(patient=patient, weekday=weekday), start_time, end_time)
    if clash is not None:
        raise ValidationError(
            _("This overlaps the window already recorded: %(window)s. Change or remove that one first.")
            % {"window": clash}
        )
    window = PatientAvailability.objects.create(
        patient=patient, kind=kind, weekday=weekday, start_time=start_time, end_time=end_time, note=note.strip()
    )
    log_action("scheduling.availability.add", obj=window, actor=actor, patient_id=patient.pk)
    return window


def window_fingerprint(window: PatientAvailability | ClinicianAvailability) -> str:
    """What the window said when a form showed it: a change made by someone
    else since then refuses the edit instead of silently overwriting it."""
    if isinstance(window, PatientAvailability):
        extra = f"{window.kind}|{window.note}"
    else:
        extra = f"{window.site_id}|{window.weekly_caseload}"
    return f"{window.weekday}|{window.start_time:%H:%M}|{window.end_time:%H:%M}|{extra}"


def _window_data(window: PatientAvailability | ClinicianAvailability) -> dict[str, Any]:
    return {"window": str(window), "weekday": window.weekday, "from": f"{window.start_time:%H:%M}",
            "until": f"{window.end_time:%H:%M}"}  # fmt: skip


def _check_fingerprint(window: PatientAvailability | ClinicianAvailability, expected: str | None) -> None:
    if expected and expected != window_fingerprint(window):
        raise StaleEditError(
            _("Someone changed this window while you were editing it (it is now %(window)s). Check it and try again.")
            % {"window": window}
        )


def _clash_problem(clash: Any) -> ValidationError:
    return ValidationError(
        _("This overlaps the window already recorded: %(window)s. Change or remove that one first.") % {"window": clash}
    )


@transaction.atomic
def patient_availability_update(
    *,
    actor: User,
    window: PatientAvailability,
    kind: str,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    note: str = "",
    expected: str | None = None,
) -> PatientAvailability:
    """Change a patient's window; refused when it would overlap another of
    their windows that day, or when someone changed it meanwhile."""
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    Patient.objects.select_for_update().filter(pk=window.patient_id).first()
    locked = PatientAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        raise ValidationError(_("This window was removed meanwhile."))
    _check_fingerprint(locked, expected)
    others = PatientAvailability.objects.filter(patient_id=locked.patient_id, weekday=weekday).exclude(pk=locked.pk)
    clash = _window_clash(others, start_time, end_time)
    if clash is not None:
        raise _clash_problem(clash)
    before = _window_data(locked)
    locked.kind, locked.weekday, locked.start_time, locked.end_time = kind, weekday, start_time, end_time
    locked.note = note.strip()
    locked.save(force_update=True)
    log_action(
        "scheduling.availability.change",
        obj=locked,
        actor=actor,
        patient_id=locked.patient_id,
        data={"before": before, "after": _window_data(locked)},
    )
    return locked


@transaction.atomic
def patient_availability_remove(*, actor: User, window: PatientAvailability) -> None:
    """Remove a window; the audit trail keeps what it said. Takes the same
    lock as a change, so the two never interleave."""
    Patient.objects.select_for_update().filter(pk=window.patient_id).first()
    locked = PatientAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        return  # already removed by someone else
    log_action(
        "scheduling.availability.remove",
        obj=locked,
        actor=actor,
        patient_id=locked.patient_id,
        data={**_window_data(locked), "kind": locked.kind, "note": locked.note},
    )
    locked.delete()


@transaction.atomic
def clinician_availability_add(
    *,
    actor: User,
    user: User,
    site: Site,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    weekly_caseload: int = 15,
) -> ClinicianAvailability:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    if not user.sites.filter(pk=site.pk).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": site.name})
    _lock_rows(users=[user])
    clash = _window_clash(ClinicianAvailability.objects.filter(user=user, weekday=weekday), start_time, end_time)
    if clash is not None:
        raise ValidationError(
            _("This overlaps the window already recorded: %(window)s. Change or remove that one first.")
            % {"window": clash}
        )
    window = ClinicianAvailability.objects.create(
        user=user, site=site, weekday=weekday, start_time=start_time, end_time=end_time, weekly_caseload=weekly_caseload
    )
    log_action("scheduling.clinician_availability.add", obj=window, actor=actor)
    return window


@transaction.atomic
def clinician_availability_update(
    *,
    actor: User,
    window: ClinicianAvailability,
    site: Site,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    weekly_caseload: int,
    expected: str | None = None,
) -> ClinicianAvailability:
    """Change a clinician's window. Appointments already booked stay as they
    are; new bookings follow the new window."""
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    user = window.user
    if not user.sites.filter(pk=site.pk).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": site.name})
    _lock_rows(users=[user])
    locked = ClinicianAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        raise ValidationError(_("This window was removed meanwhile."))
    _check_fingerprint(locked, expected)
    others = ClinicianAvailability.objects.filter(user=user, weekday=weekday).exclude(pk=locked.pk)
    clash = _window_clash(others, start_time, end_time)
    if clash is not None:
        raise _clash_problem(clash)
    before = {**_window_data(locked), "site": locked.site_id, "caseload": locked.weekly_caseload}
    locked.site, locked.weekday, locked.start_time, locked.end_time = site, weekday, start_time, end_time
    locked.weekly_caseload = weekly_caseload
    locked.save(force_update=True)
    log_action(
        "scheduling.clinician_availability.change",
        obj=locked,
        actor=actor,
        data={"before": before, "after": {**_window_data(locked), "site": site.pk, "caseload": weekly_caseload}},
    )
    return locked


@transaction.atomic
def clinician_availability_remove(*, actor: User, window: ClinicianAvailability) -> None:
    """Remove a window; the audit trail keeps what it said. Takes the same
    lock as a change, so the two never interleave."""
    _lock_rows(users=[window.user])
    locked = ClinicianAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        return  # already removed by someone else
    log_action(
        "scheduling.clinician_availability.remove",
        obj=locked,
        actor=actor,
        data={**_window_data(locked), "site": locked.site_id, "user": locked.user_id},
    )
    locked.delete()
