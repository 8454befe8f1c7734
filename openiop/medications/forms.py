# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.core.forms import AsciiDecimalField, AsciiIntegerField
from openiop.medications import catalogue
from openiop.medications.models import AdherenceNote, Route, SobrietyDate, Specimen, TestResult
from openiop.medications.services import ResultEntry
from openiop.sites.models import Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class MedicationForm(forms.Form):
    catalogue_code = forms.ChoiceField(
        label=_("MOUD/MAUD medication"),
        choices=[("", _("— another medication —")), *catalogue.CATALOGUE_CHOICES],
        required=False,
        help_text=_("Pick one to fill in the name, usual dose, route, frequency and expected drug-test classes."),
    )
    name = forms.CharField(max_length=150, required=False)
    dose = forms.CharField(max_length=60, required=False)
    route = forms.ChoiceField(choices=[("", "—"), *Route.choices], required=False)
    frequency = forms.CharField(max_length=60, required=False)
    indication = forms.CharField(max_length=150, required=False)
    prescriber = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Prescriber on staff"))
    outside_prescriber = forms.CharField(
        max_length=150, required=False, help_text=_("Name and practice, when the prescriber is not on staff.")
    )
    dispensed_by_otp = forms.BooleanField(
        required=False,
        label=_("Dispensed by an outside opioid treatment program (we do not dispense it)"),
    )
    otp_name = forms.CharField(max_length=150, required=False, label=_("Opioid treatment program"))
    expected_classes = forms.MultipleChoiceField(
        choices=catalogue.DRUG_CLASS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Expected in drug tests"),
        help_text=_("Left empty for a MOUD/MAUD medication, the catalog's classes apply."),
    )
    start_date = forms.DateField(widget=DATE)
    stop_date = forms.DateField(widget=DATE, required=False, help_text=_("Only for a medication already stopped."))
    stop_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, prescribers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "prescriber").queryset = prescribers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entry = catalogue.CATALOGUE_BY_CODE.get(data.get("catalogue_code") or "")
        if entry is not None:
            for name, default in (
                ("name", str(entry.name)),
                ("dose", entry.usual_dose),
                ("route", entry.route),
                ("frequency", entry.usual_frequency),
                ("indication", str(catalogue.INDICATION_LABELS[entry.indication])),
            ):
                if not data.get(name):
                    data[name] = default
            if not data.get("expected_classes"):
                data["expected_classes"] = list(entry.expected_classes)
            if entry.outside_otp:
                data["dispensed_by_otp"] = True
        for name, message in (
            ("name", _("Name the medication.")),
            ("dose", _("Give the dose, for example 8 mg.")),
            ("route", _("Choose the route.")),
            ("frequency", _("Give the frequency, for example once daily.")),
            ("indication", _("Say what it is for.")),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        start, stop = data.get("start_date"), data.get("stop_date")
        if start and stop and stop < start:
            self.add_error(
                "stop_date",
                _("The stop date (%(stop)s) is before the start date (%(start)s).")
                % {"stop": stop.isoformat(), "start": start.isoformat()},
            )
        if stop and not (data.get("stop_reason") or "").strip():
            self.add_error("stop_reason", _("Say why the medication was stopped."))
        if data.get("dispensed_by_otp") and not (data.get("otp_name") or "").strip():
            self.add_error("otp_name", _("Name the opioid treatment program that dispenses it."))
        if not data.get("prescriber") and not (data.get("outside_prescriber") or "").strip():
            self.add_error("prescriber", _("Choose a prescriber on staff or name the outside prescriber."))
        if data.get("prescriber") and (data.get("outside_prescriber") or "").strip():
            self.add_error("outside_prescriber", _("Give either a prescriber on staff or an outside prescriber."))
        return data


class StopForm(forms.Form):
    version = AsciiIntegerField(widget=forms.HiddenInput)
    stop_date = forms.DateField(widget=DATE)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))


class AdherenceForm(forms.ModelForm[AdherenceNote]):
    class Meta:
        model = AdherenceNote
        fields = ["noted_on", "status", "text"]
        widgets = {"noted_on": DATE, "text": forms.Textarea(attrs={"rows": 3})}
        labels = {"noted_on": _("Date"), "text": _("Note")}


RESULT_CHOICES = [("", _("not tested")), *TestResult.Outcome.choices]


class PanelMixin(forms.Form):
    """One result and one optional cutoff per drug class, named
    ``result_<code>`` and ``cutoff_<code>``."""

    panel_negative = forms.BooleanField(
        required=False,
        label=_("Every class of the standard panel not marked otherwise is negative"),
    )

    def add_panel_fields(self) -> None:
        self.fields["panel_negative"].help_text = _("Standard panel: %(classes)s.") % {
            "classes": ", ".join(catalogue.drug_class_label(code) for code in catalogue.DEFAULT_PANEL)
        }
        for entry in catalogue.DRUG_CLASSES:
            self.fields[f"result_{entry.code}"] = forms.ChoiceField(
                choices=RESULT_CHOICES, required=False, label=entry.label
            )
            self.fields[f"cutoff_{entry.code}"] = AsciiDecimalField(
                required=False,
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=3,
                label=_("%(class)s cutoff") % {"class": entry.label},
            )

    def panel_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(entry, self[f"result_{entry.code}"], self[f"cutoff_{entry.code}"]) for entry in catalogue.DRUG_CLASSES]

    def panel_field_names(self) -> set[str]:
        return {f"{kind}_{entry.code}" for entry in catalogue.DRUG_CLASSES for kind in ("result", "cutoff")}

    def entries(self, *, unit: str) -> list[ResultEntry]:
        data = self.cleaned_data
        entries = []
        for entry in catalogue.DRUG_CLASSES:
            result = data.get(f"result_{entry.code}") or ""
            if not result and data.get("panel_negative") and entry.code in catalogue.DEFAULT_PANEL:
                result = TestResult.Outcome.NEGATIVE
            if result:
                cutoff = data.get(f"cutoff_{entry.code}")
                entries.append(ResultEntry(entry.code, result, cutoff, unit if cutoff is not None else ""))
        return entries

    def check_panel(self, *, required: bool) -> None:
        data = self.cleaned_data
        for entry in catalogue.DRUG_CLASSES:
            if data.get(f"cutoff_{entry.code}") is not None and not data.get(f"result_{entry.code}"):
                self.add_error(f"cutoff_{entry.code}", _("A cutoff without a result: choose the result too."))
        if required and not self.entries(unit=""):
            self.add_error(None, _("Enter at least one result, or tick the standard-panel box."))


def cutoff_unit(specimen_type: str) -> str:
    return "g/210 L" if specimen_type == Specimen.Type.BREATH else "ng/mL"


class SpecimenForm(PanelMixin):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Collected at"))
    specimen_type = forms.ChoiceField(choices=Specimen.Type.choices, initial=Specimen.Type.URINE)
    collected_at = forms.DateTimeField(
        label=_("Collection date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time at the collecting site."),
    )
    observed = forms.BooleanField(required=False, label=_("Collection observed"))
    collected_by = forms.ModelChoiceField(queryset=User.objects.none())
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, sites: Any, collectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        _choices(self, "collected_by").queryset = collectors
        self.add_panel_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site, collected_at = data.get("site"), data.get("collected_at")
        if site is not None and collected_at is not None:
            # The browser sends the wall-clock time at the collecting site.
            naive = timezone.make_naive(collected_at)
            data["collected_at"] = timezone.make_aware(naive, ZoneInfo(site.time_zone))
        self.check_panel(required=False)
        return data


class ResultsForm(PanelMixin):
    method = forms.ChoiceField(choices=TestResult.Method.choices, initial=TestResult.Method.CONFIRMATORY)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_panel_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_panel(required=True)
        return data


class DecisionForm(forms.Form):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    decision = forms.ChoiceField(
        choices=[
            (CONFIRM, _("Confirm: this is use; reset the sobriety date to the collection date")),
            (DISMISS, _("Dismiss: explained (for example a confirmatory negative or a prescription)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class SobrietyDateForm(forms.Form):
    date = forms.DateField(widget=DATE, label=_("Sobriety date"))
    source = forms.ChoiceField(
        choices=[
            (SobrietyDate.Source.REPORTED, SobrietyDate.Source.REPORTED.label),
            (SobrietyDate.Source.CORRECTION, SobrietyDate.Source.CORRECTION.label),
        ]
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ChangeForm(forms.Form):
    """A new dose or new directions, prefilled from the current entry."""

    version = AsciiIntegerField(widget=forms.HiddenInput)
    dose = forms.CharField(max_length=60, help_text=_("For example 16 mg/4 mg."))
    route = forms.ChoiceField(choices=Route.choices)
    frequency = forms.CharField(max_length=60)
    prescriber = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Prescriber on staff"))
    outside_prescriber = forms.CharField(
        max_length=150, required=False, help_text=_("Name and practice, when the prescriber is not on staff.")
    )
    indication = forms.CharField(max_length=150)
    start_date = forms.DateField(
        widget=DATE, label=_("Takes effect on"), help_text=_("The current entry stops on this day.")
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Why (optional)"),
        help_text=_("For example: cravings in the evening."),
    )

    def __init__(self, *args: Any, prescribers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "prescriber").queryset = prescribers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outside = (data.get("outside_prescriber") or "").strip()
        if not data.get("prescriber") and not outside and "prescriber" not in self.errors:
            self.add_error("prescriber", _("Choose a prescriber on staff or name the outside prescriber."))
        if data.get("prescriber") and outside:
            self.add_error("outside_prescriber", _("Give either a prescriber on staff or an outside prescriber."))
        return data


class InErrorForm(forms.Form):
    version = AsciiIntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("What was wrong with this entry"),
        help_text=_("For example: recorded on the wrong patient; never prescribed."),
    )


class CorrectionForm(forms.Form):
    result = forms.ChoiceField(choices=TestResult.Outcome.choices, label=_("Corrected result"))
    cutoff = AsciiDecimalField(required=False, min_value=Decimal(0), max_digits=8, decimal_places=3)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Why is it corrected"),
        help_text=_("For example: the laboratory's amended report; read from the wrong line of the cup."),
    )


class RestoreForm(forms.Form):
    RESTORE = "restore"
    KEEP = "keep"
    decision = forms.ChoiceField(
        choices=[
            (RESTORE, _("Restore the sobriety date from before the reset")),
            (KEEP, _("Keep the current sobriety date (for example, use was confirmed otherwise)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
