"""Template filters for instrument results: flags in words, never their codes."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from openiop.assessments import instruments

register = template.Library()

FLAG_LABELS = {
    instruments.SUICIDAL_IDEATION: _("Suicidal ideation"),
    instruments.SEVERE_WITHDRAWAL: _("Severe withdrawal"),
    instruments.POSITIVE_SCREEN: _("Positive screen"),
    instruments.SUICIDE_RISK_LOW: _("Suicide risk: low"),
    instruments.SUICIDE_RISK_MODERATE: _("Suicide risk: moderate"),
    instruments.SUICIDE_RISK_HIGH: _("Suicide risk: high"),
}


@register.filter
def flag_label(flag: str) -> str:
    """The flag in words; an unknown flag reads as words too (underscores to spaces)."""
    return str(FLAG_LABELS.get(flag, flag.replace("_", " ").capitalize()))
