# SPDX-License-Identifier: AGPL-3.0-or-later
"""The primary diagnosis on the chart's header line (``{% primary_diagnosis_line patient %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from openiop.diagnoses import selectors

register = template.Library()


@register.inclusion_tag("diagnoses/_header_primary.html", takes_context=True)
def primary_diagnosis_line(context: template.Context, patient: Any) -> dict[str, Any]:
    """Shown only to those who may see diagnoses (one query); the chart page
    has already logged reading the patient."""
    request = context.get("request")
    user = getattr(request, "user", None)
    diagnosis = selectors.header_primary(user=user, patient=patient) if user is not None else None
    return {"diagnosis": diagnosis}
