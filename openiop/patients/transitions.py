# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rules for changing an episode's level of care and for discharge.

Pure Python (no database, no Django) so the rules can be read in one sitting
and tested exhaustively. Each check returns a dict of field name -> Problem
(a code and its parameters): empty means allowed. The services turn the codes
into translated messages (``MESSAGES`` in services.py) in a
``ValidationError`` whose messages land beside the form fields.

Level codes are the ASAM Criteria 3rd edition (2013) numbers ("1", "2.1",
"2.5", "3.1" ... "4"); a higher number is more intensive care, so a change to
a higher number is a step-up and to a lower one a step-down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

STEP_UP = "step_up"
STEP_DOWN = "step_down"

# TEDS discharge reason codes the plan rules depend on.
TEDS_COMPLETED = "1"
TEDS_TRANSFERRED = "4"
TEDS_DEATH = "6"
TEDS_REASONS = ("1", "2", "3", "4", "5", "6", "7")

# Next level of care after discharge: an ASAM level, or no further formal
# treatment (recovery supports only).
NO_FURTHER_TREATMENT = "none"


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, str] = field(default_factory=dict)


Errors = dict[str, Problem]


def level_rank(level: str) -> float:
    """Intensity of a level code: "1" < "2.1" < "2.5" < "3.1" < ... < "4"."""
    try:
        return float(level)
    except ValueError:
        raise ValueError(f"Unknown level of care {level!r}.") from None


def direction(from_level: str, to_level: str) -> str:
    """STEP_UP or STEP_DOWN (the levels must differ)."""
    if level_rank(to_level) == level_rank(from_level):
        raise ValueError("A change of level needs two different levels.")
    return STEP_UP if level_rank(to_level) > level_rank(from_level) else STEP_DOWN


def _date_errors(
    day: dt.date, *, name: str, what: str, admission_date: dt.date, today: dt.date, last_change: dt.date | None
) -> Errors:
    if day < admission_date:
        return {name: Problem(f"{what}_before_admission", {"date": f"{admission_date:%Y-%m-%d}"})}
    if day > today:
        return {name: Problem(f"{what}_in_future", {"date": f"{today:%Y-%m-%d}"})}
    if last_change is not None and day < last_change:
        return {name: Problem(f"{what}_before_last_change", {"date": f"{last_change:%Y-%m-%d}"})}
    return {}


def check_level_change(
    *,
    from_level: str,
    to_level: str,
    effective_date: dt.date,
    reason: str,
    admission_date: dt.date,
    today: dt.date,
    last_change: dt.date | None = None,
    known_levels: Iterable[str] = (),
) -> Errors:
    """Why a change of level may not be recorded, by field (empty: allowed).

    The change takes effect on EFFECTIVE_DATE: not before the admission, not
    after TODAY and not before the episode's last change (LAST_CHANGE), so the
    history reads in order.
    """
    errors: Errors = {}
    levels = set(known_levels)
    if levels and to_level not in levels:
        errors["to_level"] = Problem("unknown_level", {"level": to_level})
    elif to_level == from_level:
        errors["to_level"] = Problem("same_level", {"level": from_level})
    errors.update(
        _date_errors(
            effective_date,
            name="effective_date",
            what="change",
            admission_date=admission_date,
            today=today,
            last_change=last_change,
        )
    )
    if not reason.strip():
        errors["reason"] = Problem("reason_required")
    return errors


def check_discharge(
    *,
    discharge_date: dt.date,
    reason: str,
    admission_date: dt.date,
    today: dt.date,
    last_change: dt.date | None = None,
    next_level_of_care: str = "",
    referral_to: str = "",
    first_appointment_date: dt.date | None = None,
    first_appointment_time: dt.time | None = None,
    supports: Iterable[str] = (),
    known_next_levels: Iterable[str] = (),
    known_supports: Iterable[str] = (),
) -> Errors:
    """Why a discharge may not be recorded, by field (empty: allowed).

    A continuing-care plan names the next level of care (or no further formal
    treatment) for every discharge except a death; a transfer says where to;
    a first appointment says with whom, and falls on or after the discharge.
    """
    errors: Errors = {}
    if reason not in TEDS_REASONS:
        errors["reason"] = Problem("teds_reason_required")
    errors.update(
        _date_errors(
            discharge_date,
            name="discharge_date",
            what="discharge",
            admission_date=admission_date,
            today=today,
            last_change=last_change,
        )
    )
    has_plan = bool(next_level_of_care or referral_to.strip() or first_appointment_date or first_appointment_time)
    next_levels = set(known_next_levels)
    if reason == TEDS_DEATH:
        if has_plan or any(True for _support in supports):
            errors["next_level_of_care"] = Problem("no_plan_after_death")
        return errors
    if not next_level_of_care:
        errors["next_level_of_care"] = Problem("next_level_required")
    elif next_levels and next_level_of_care not in next_levels:
        errors["next_level_of_care"] = Problem("unknown_level", {"level": next_level_of_care})
    if reason == TEDS_TRANSFERRED and not referral_to.strip():
        errors["referral_to"] = Problem("transfer_needs_referral")
    if (first_appointment_date or first_appointment_time) and not referral_to.strip() and "referral_to" not in errors:
        errors["referral_to"] = Problem("appointment_needs_referral")
    if first_appointment_time and not first_appointment_date:
        errors["first_appointment_date"] = Problem("appointment_time_without_date")
    elif first_appointment_date and first_appointment_date < discharge_date:
        errors["first_appointment_date"] = Problem("appointment_before_discharge")
    allowed_supports = set(known_supports)
    unknown = sorted(set(supports) - allowed_supports) if allowed_supports else []
    if unknown:
        errors["supports"] = Problem("unknown_supports", {"codes": ", ".join(unknown)})
    return errors
