# SPDX-License-Identifier: AGPL-3.0-or-later
"""``{% patient_banner patient %}``: the banner at the top of every chart page."""

from __future__ import annotations

from typing import Any

from django import template

from openiop.patients.banner import patient_banner as banner_context

register = template.Library()


@register.inclusion_tag("patients/_banner.html", takes_context=True)
def patient_banner(context: template.Context, patient: Any, heading: bool = False) -> dict[str, Any]:
    """HEADING makes the patient's name the page's h1 (the chart itself);
    other pages acting on the patient keep their own h1 and link back."""
    request = context.get("request")
    if request is None or patient is None or not getattr(patient, "pk", None):
        return {"patient": None}
    return {**banner_context(request, patient), "heading": heading}
