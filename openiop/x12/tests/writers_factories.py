# SPDX-License-Identifier: AGPL-3.0-or-later
"""Plain-data parties and claims for the 837I/837P writer tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from openiop.x12.claims import (
    Address,
    BillingProvider,
    Member,
    Payer,
    Policy,
    Provider,
    Receiver,
    Submitter,
)
from openiop.x12.envelope import Envelope
from openiop.x12.institutional import InstitutionalClaim, InstitutionalLine
from openiop.x12.professional import ProfessionalClaim, ProfessionalLine

ENVELOPE = Envelope(
    sender_id="OPENIOP",
    receiver_id="CLEARHOUSE",
    interchange_control_number=5,
    group_control_number=5,
    created=datetime(2026, 3, 9, 9, 0),
)
SUBMITTER = Submitter("OpenIOP Recovery", "OPENIOP01", "Billing Office", contact_phone="555-201-3000")
RECEIVER = Receiver("Clearing House", "CLEARHOUSE")
BILLING = BillingProvider(
    "Harbor Recovery IOP",
    "1234567893",
    "12-3456789",
    Address("100 Main St", "Springfield", "IL", "62701-1234"),
    taxonomy="261QR0405X",
)
OTHER_SITE = replace(BILLING, name="Harbor Recovery North", npi="1679576722")
COMMERCIAL = Payer("Sunrise Health Plan", "SHP01")
MEDICARE = Payer("Medicare Part A", "MCRA1", Address("PO Box 100", "Chicago", "IL", "60601"))
ATTENDING = Provider("Grey", "Meredith", "1245319599", taxonomy="2084P0800X")
HOME = Address("1 Elm St", "Springfield", "IL", "62701")
FEBRUARY = date(2026, 2, 2)


def member(number: int, **overrides: object) -> Member:
    values: dict[str, object] = {
        "first_name": "Pat",
        "last_name": f"Person{number}",
        "birth_date": date(1985, 1, 1),
        "sex": "F",
        "address": HOME,
        "member_id": f"M{number:06d}",
    }
    values.update(overrides)
    return Member(**values)  # type: ignore[arg-type]


def policy(number: int = 0, **overrides: object) -> Policy:
    values: dict[str, object] = {"payer": COMMERCIAL, "subscriber": member(number), "group_number": "G100"}
    values.update(overrides)
    return Policy(**values)  # type: ignore[arg-type]


def per_diem_days(count: int, start: date = FEBRUARY) -> list[date]:
    """Monday, Wednesday, Friday attendance, as an IOP schedule has it."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() in (0, 2, 4):
            days.append(day)
        day += timedelta(days=1)
    return days


def institutional_claim(number: int = 0, *, days: int = 12, **overrides: object) -> InstitutionalClaim:
    served = per_diem_days(days)
    values: dict[str, object] = {
        "billing_provider": BILLING,
        "policy": policy(number),
        "patient_control_number": f"PCN{number}",
        "facility_code": "89",
        "frequency": "2",
        "statement_start": served[0],
        "statement_end": served[-1],
        "admission_date": date(2026, 1, 20),
        "admission_hour": 9,
        "principal_diagnosis": "F11.20",
        "other_diagnoses": ("F10.20", "F32.9"),
        "prior_authorization": "AUTH-1",
        "attending": ATTENDING,
        "lines": tuple(
            InstitutionalLine("0906", "H0015", Decimal("250.00"), day, line_control_number=f"L{number}-{index}")
            for index, day in enumerate(served, start=1)
        ),
    }
    values.update(overrides)
    return InstitutionalClaim(**values)  # type: ignore[arg-type]


RENDERING = Provider("Hale", "Jordan", "1679576722", taxonomy="101YA0400X")


def professional_claim(number: int = 0, **overrides: object) -> ProfessionalClaim:
    values: dict[str, object] = {
        "billing_provider": BILLING,
        "policy": policy(number),
        "patient_control_number": f"PRO{number}",
        "place_of_service": "57",
        "diagnoses": ("F11.20", "F41.1"),
        "rendering": RENDERING,
        "lines": (
            ProfessionalLine("90837", Decimal("180.00"), date(2026, 2, 3), diagnosis_pointers=(1, 2)),
            ProfessionalLine("90847", Decimal("150.00"), date(2026, 2, 10), line_control_number=f"P{number}-2"),
        ),
    }
    values.update(overrides)
    return ProfessionalClaim(**values)  # type: ignore[arg-type]
