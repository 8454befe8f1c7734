# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms built from the instrument definitions, so a new instrument needs data,
not a template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.assessments import placement, safety_plan, vitals
from openiop.assessments.instruments import SEXES, Answer, Instrument, Response
from openiop.assessments.models import WithdrawalCheck
from openiop.patients.models import LevelOfCare


def _field_name(key: str) -> str:
    return f"item_{key}"


def _encode(value: Answer) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class InstrumentForm(forms.Form):
    """One radio group per item; the numbers printed on the form are the values."""

    administered_at = forms.DateTimeField(
        label=_("Taken at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
        help_text=_("Leave empty for now."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, instrument: Instrument, ask_sex: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            choices: list[tuple[str, Any]] = [
                (
                    _encode(choice.value),
                    f"{_encode(choice.value)} · {choice.label}" if choice.label else _encode(choice.value),
                )
                for choice in item.choices
            ]
            if item.is_yes_no:
                choices = [(_encode(c.value), c.label or (_("Yes") if c.value else _("No"))) for c in item.choices]
            self.fields[_field_name(item.key)] = forms.ChoiceField(
                label=f"{item.key}. {item.text}",
                choices=choices,
                widget=forms.RadioSelect,
                # An item the skip logic may leave unasked is checked in clean().
                required=item.key not in instrument.skippable,
                help_text=self._skip_help(item.key),
                error_messages={"required": _("Answer item %(key)s.") % {"key": item.key}},
            )
            # For the page's script: hide the question while the answers so far skip it.
            self.fields[_field_name(item.key)].skip_when = " ".join(  # type: ignore[attr-defined]
                f"{_field_name(skip.item)}={_encode(skip.answer)}" for skip in instrument.skips if item.key in skip.skip
            )
        if ask_sex:
            self.fields["sex"] = forms.ChoiceField(
                label=_("Sex for the cut-off"),
                choices=[(sex, sex.capitalize()) for sex in SEXES],
                help_text=_("This instrument's cut-off differs by sex, and the chart does not say male or female."),
            )
        self.order_fields(
            [name for name in self.fields if name.startswith("item_")] + ["sex", "administered_at", "notes"]
        )

    def _skip_help(self, key: str) -> str:
        skips = [skip for skip in self.instrument.skips if key in skip.skip]
        return " ".join(
            str(_("Not asked when item %(item)s is %(answer)s.") % {"item": skip.item, "answer": _encode(skip.answer)})
            for skip in skips
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instrument.skips:
            return cleaned
        raw = [self._decode(item.key, cleaned.get(_field_name(item.key))) for item in self.instrument.items]
        skipped = self.instrument.skipped_by(raw)
        for item, value in zip(self.instrument.items, raw, strict=True):
            name = _field_name(item.key)
            skip = skipped.get(item.key)
            if skip is None:
                if value is None and name not in self.errors:
                    self.add_error(name, _("Answer item %(key)s.") % {"key": item.key})
            elif value is not None and value != min(item.choices, key=lambda c: c.points).value:
                # A "no" to a question that was not asked agrees with the skip;
                # anything more is a contradiction the clinician must resolve.
                self.add_error(
                    name,
                    _(
                        "Item %(item)s is %(answer)s, so item %(key)s is not asked. Clear item %(key)s, or change "
                        "item %(item)s."
                    )
                    % {"item": skip.item, "answer": _encode(skip.answer), "key": item.key},
                )
            else:
                cleaned[name] = ""
        return cleaned

    def _decode(self, key: str, raw: str | None) -> Response:
        if not raw:
            return None
        item = self.instrument.item(key)
        if item.is_yes_no:
            return raw == "yes"
        try:
            return int(raw)
        except ValueError:
            return None

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("item_")]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("item_")]

    def answers(self) -> list[Response]:
        """One answer per item in form order; None for an item not asked."""
        return [self._decode(item.key, self.cleaned_data[_field_name(item.key)]) for item in self.instrument.items]

    def when(self) -> dt.datetime | None:
        value = self.cleaned_data.get("administered_at")
        return value if value is None or timezone.is_aware(value) else timezone.make_aware(value)


class WithdrawalCheckForm(InstrumentForm):
    class Vitals(forms.ModelForm[WithdrawalCheck]):
        class Meta:
            model = WithdrawalCheck
            fields = ["pulse", "systolic", "diastolic", "respiratory_rate", "oxygen_saturation"]

    # Shown in this order; the temperature is read in °F or °C and stored in °C.
    VITAL_FIELDS = ("pulse", "systolic", "diastolic", "temperature", "temperature_unit", "respiratory_rate",
                    "oxygen_saturation")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.Vitals().fields.items():
            self.fields[name] = field
        self.fields["temperature"] = forms.DecimalField(
            label=_("Temperature"),
            max_digits=4,
            decimal_places=1,
            widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            help_text=_("%(f_low)s-%(f_high)s °F or %(c_low)s-%(c_high)s °C.")
            % {
                "f_low": vitals.PLAUSIBLE[vitals.FAHRENHEIT][0],
                "f_high": vitals.PLAUSIBLE[vitals.FAHRENHEIT][1],
                "c_low": vitals.PLAUSIBLE[vitals.CELSIUS][0],
                "c_high": vitals.PLAUSIBLE[vitals.CELSIUS][1],
            },
        )
        self.fields["temperature_unit"] = forms.ChoiceField(
            label=_("Temperature unit"),
            choices=[(unit, vitals.SYMBOL[unit]) for unit in vitals.UNITS],
            initial=vitals.FAHRENHEIT,  # US thermometers read °F
            widget=forms.RadioSelect,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reading, unit = cleaned.get("temperature"), cleaned.get("temperature_unit")
        if reading is not None and unit:
            try:
                cleaned["temperature_c"] = vitals.celsius_from_reading(reading, unit)
            except ValueError as error:
                self.add_error("temperature", str(error))
        return cleaned

    def vital_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.VITAL_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("administered_at", "notes")]

    def vitals(self) -> dict[str, Any]:
        """The vital signs as the service takes them (temperature in °C)."""
        values = {name: self.cleaned_data[name] for name in self.Vitals.Meta.fields}
        values["temperature_c"] = self.cleaned_data["temperature_c"]
        return values


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What you did or decided"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: safety plan reviewed, crisis line given, referred for evaluation."),
    )


class SafetyConcernForm(forms.Form):
    detail = forms.CharField(
        label=_("What was reported"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the person's words where you can, with when and to whom."),
    )


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(label=_("Why this result is wrong"), max_length=300)


RATING_CHOICES = [(str(value), str(value)) for value in range(5)]
FIT_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not known"))]


class PlacementForm(forms.Form):
    adolescent = forms.BooleanField(label=_("Adolescent (under 18)"), required=False)

    def __init__(self, *args: Any, suggested: dict[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suggested = suggested or {}
        for dimension in placement.DIMENSIONS:
            number = dimension.number
            self.fields[f"d{number}_rating"] = forms.ChoiceField(
                label=f"{number}. {dimension.name}",
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                initial=str(suggested[number]) if number in suggested else None,
                error_messages={"required": _("Rate dimension %(n)d from 0 to 4.") % {"n": number}},
            )
            self.fields[f"d{number}_note"] = forms.CharField(
                label=_("Notes for dimension %(n)d") % {"n": number},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        for factor in placement.FIT_FACTORS:
            self.fields[f"fit_{factor.code}"] = forms.ChoiceField(
                label=factor.question,
                choices=FIT_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question, or choose 'Not known'.")},
            )

    def dimension_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"d{d.number}_rating"], self[f"d{d.number}_note"]) for d in placement.DIMENSIONS]

    def fit_fields(self) -> list[forms.BoundField]:
        return [self[f"fit_{factor.code}"] for factor in placement.FIT_FACTORS]

    def ratings(self) -> dict[int, int]:
        return {d.number: int(self.cleaned_data[f"d{d.number}_rating"]) for d in placement.DIMENSIONS}

    def notes(self) -> dict[int, str]:
        return {d.number: self.cleaned_data[f"d{d.number}_note"] for d in placement.DIMENSIONS}

    def fit(self) -> dict[str, bool | None]:
        mapping: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}
        return {f.code: mapping[self.cleaned_data[f"fit_{f.code}"]] for f in placement.FIT_FACTORS}


class DecisionForm(forms.Form):
    level = forms.ChoiceField(label=_("Level of care decided"), choices=LevelOfCare.choices)
    withdrawal_management = forms.BooleanField(label=_("Withdrawal management needed"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when your decision differs from the recommendation."),
    )


class ApplyDecisionForm(forms.Form):
    effective_date = forms.DateField(
        label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class SafetyPlanForm(forms.Form):
    """One text area per Stanley-Brown step, one entry a line."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for step in safety_plan.STEPS:
            label = f"{step.number}. {step.title}" if step.number else str(step.title)
            self.fields[step.key] = forms.CharField(
                label=label,
                help_text=str(step.help),  # translated now, in the language of the request
                required=False,  # the service names every empty step at once
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def step_fields(self) -> list[forms.BoundField]:
        return [self[step.key] for step in safety_plan.STEPS]

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in safety_plan.STEP_KEYS}


class SafetyPlanReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed with the patient on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: reviewed at the step-down to outpatient; new phone number for the sponsor."),
    )
