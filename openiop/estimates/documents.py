# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Good Faith Estimate as a document: every element the No Surprises Act
requires, as plain strings (``content``), rendered into HTML for the preview
and into a PDF when it is issued. The issued estimate keeps its content and
PDF, so what the patient was given can always be shown again unchanged.

The PDF is given to the patient themselves (their own information, not a
disclosure to anyone else), so it does not pass through the Part 2 gate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from openiop.diagnoses import codes as diagnosis_codes
from openiop.estimates import notices
from openiop.estimates.models import GoodFaithEstimate
from openiop.privacy import documents

DOCUMENT_TEMPLATE = "estimates/document.html"
PDF_TEMPLATE = "estimates/estimate_pdf.html"


def dollars(value: Decimal | int | str) -> str:
    return f"${Decimal(value):,.2f}"


def long_date(value: Any) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def missing_provider_numbers(estimate: GoodFaithEstimate) -> list[str]:
    organization = estimate.organization
    missing = []
    if not organization.npi:
        missing.append(_("NPI"))
    if not organization.tax_id:
        missing.append(_("TIN"))
    return missing


def content(estimate: GoodFaithEstimate, *, issued_on: Any = None) -> dict[str, Any]:
    """Every element of the estimate as strings, as it will be frozen."""
    patient = estimate.patient
    organization = estimate.organization
    site = estimate.site
    lines = list(estimate.lines.all())
    return {
        "title": notices.TITLE,
        "right_to_estimate": notices.RIGHT_TO_ESTIMATE,
        "number": f"GFE-{estimate.pk}-v{estimate.version}",
        "version": estimate.version,
        "issued_on": long_date(issued_on),
        "supersedes": estimate.supersedes.version if estimate.supersedes_id and estimate.supersedes else None,
        "patient": {
            "name": f"{patient.legal_first_name} {patient.legal_last_name}",
            "birth_date": long_date(patient.birth_date),
            "mrn": patient.mrn,
        },
        "self_pay_reason": str(estimate.get_self_pay_reason_display()),
        "primary_service": estimate.primary_service,
        "first_day": long_date(estimate.period_start),
        "last_day": long_date(estimate.period_end),
        "scheduled_on": long_date(estimate.scheduled_on),
        "requested_on": long_date(estimate.requested_on),
        "diagnosis_codes": [diagnosis_codes.display(code) for code in estimate.diagnosis_codes],
        "provider": {
            "name": organization.name,
            "npi": organization.npi,
            "tin": organization.tax_id,
            "facility": site.name,
            "street": site.street,
            "city": site.city,
            "state": site.state,
            "zip_code": site.zip_code,
            "phone": site.phone,
        },
        "lines": [
            {
                "code": line.code,
                "description": line.description,
                "quantity": line.quantity,
                "unit_charge": dollars(line.unit_charge),
                "total": dollars(line.total),
                "first_day": long_date(line.first_day),
                "last_day": long_date(line.last_day),
            }
            for line in lines
        ],
        "total": dollars(estimate.total),
        "disclaimers": list(notices.DISCLAIMERS),
    }


def render_html(document: dict[str, Any], *, draft: bool) -> str:
    """The estimate's body, as the preview page and the PDF show it."""
    return render_to_string(DOCUMENT_TEMPLATE, {"doc": document, "draft": draft})


def render_estimate_pdf(document: dict[str, Any]) -> bytes:
    if not document.get("provider", {}).get("npi") or not document.get("provider", {}).get("tin"):
        raise ValidationError(_("An estimate cannot be issued without the provider's NPI and TIN."))
    return documents.render_pdf(PDF_TEMPLATE, {"doc": document, "draft": False})


def sha256_hex(data: bytes) -> str:
    return documents.sha256_hex(data)
