# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from openiop.medications import catalogue
from openiop.medications.interpretation import Verdict

register = template.Library()

VERDICT_LABELS: dict[str, Any] = {
    Verdict.UNEXPECTED: _("Unexpected positive"),
    Verdict.EXPECTED: _("Expected positive"),
    Verdict.NEGATIVE: _("Negative"),
    Verdict.EXPECTED_ABSENT: _("Negative, medication expected"),
    Verdict.INVALID: _("Invalid"),
}
RESULT_LABELS: dict[str, Any] = {"positive": _("positive"), "negative": _("negative"), "invalid": _("invalid")}


@register.filter
def verdict_label(value: Any) -> str:
    return str(VERDICT_LABELS.get(str(value), value))


@register.filter
def class_label(code: str) -> str:
    return catalogue.drug_class_label(code)


@register.filter
def result_label(value: str | None) -> str:
    return str(RESULT_LABELS.get(value or "", "—"))
