# SPDX-License-Identifier: AGPL-3.0-or-later
"""Form fields and validators that accept numbers, ZIP codes and phone
numbers in ASCII digits only (see ``openiop.core.ascii_digits`` for why).

Django's own IntegerField and DecimalField hand the text to ``int()`` and
``Decimal()``, which read "٣" as 3; these refuse it with the field's usual
"invalid" message, so the person sees what to type instead of a wrong value.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openiop.core import ascii_digits

# Longer than any quantity a form asks for, short enough for any column.
MAX_NUMBER_LENGTH = 40


def _refuse_unless(field: forms.Field, accepted: bool) -> None:
    if not accepted:
        raise ValidationError(field.error_messages["invalid"], code="invalid")


class AsciiIntegerField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip():
            text = value.strip()
            _refuse_unless(
                self,
                ascii_digits.is_ascii_integer(text)
                and len(ascii_digits.digits_of(text.partition(".")[0])) <= ascii_digits.MAX_ID_DIGITS,
            )
        return super().to_python(value)


class AsciiDecimalField(forms.DecimalField):
    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            text = value.strip()
            _refuse_unless(self, ascii_digits.is_ascii_decimal(text) and len(text) <= MAX_NUMBER_LENGTH)
        return super().to_python(value)


class AsciiFloatField(forms.FloatField):
    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            text = value.strip()
            _refuse_unless(self, ascii_digits.is_ascii_float(text) and len(text) <= MAX_NUMBER_LENGTH)
        return super().to_python(value)


class AsciiModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Row ids in 0-9 only, and short enough for a column: Django passes the
    posted ids to an ``__in`` query as they are, and on SQLite an id of 40
    digits fails the query (a 500) instead of matching nothing."""

    def _check_values(self, value: Any) -> Any:
        if self.to_field_name is None:
            for pk in value if isinstance(value, list | tuple) else []:
                if ascii_digits.parse_id(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # private in the stubs


PHONE_MESSAGE = _("Enter a phone number in digits 0-9, with area code, such as 617-555-0142.")


def validate_phone(value: str, *, min_digits: int = 7, max_digits: int = 15) -> None:
    """Refuse a phone number with too few or too many digits 0-9, or with a
    digit from another script (full-width, Arabic-Indic, superscript)."""
    if value and not ascii_digits.is_phone(value, min_digits=min_digits, max_digits=max_digits):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
