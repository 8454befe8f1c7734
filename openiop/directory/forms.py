# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import enum
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.core.ascii_digits import is_us_zip
from openiop.core.forms import AsciiFloatField, AsciiIntegerField
from openiop.directory import vocab
from openiop.directory.geo import Point
from openiop.directory.importer import FORMATS, max_bytes
from openiop.directory.models import LABELS
from openiop.directory.places import US_STATES, city_point, zip_point
from openiop.directory.selectors import MAX_RADIUS_MILES, MIN_RADIUS_MILES, Filters

# The numbers are MIN_RADIUS_MILES and MAX_RADIUS_MILES (checked by a test).
RADIUS_MESSAGE = _("Choose a distance from 5 to 500 miles.")
DEFAULT_RADIUS = 25


def _choices(family: type[enum.IntFlag]) -> list[tuple[str, Any]]:
    return [(vocab.code(member), LABELS[family][member]) for member in vocab.members(family)]


class SearchForm(forms.Form):
    """Where (ZIP, city and state, or the browser's position) and what.

    A ZIP wins over a city, and a city over coordinates, so a person who used
    "my location" and then typed a ZIP gets the ZIP."""

    zip = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "size": 10}),
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Choose a state")), *sorted(US_STATES.items(), key=lambda item: item[1])],
    )
    lat = AsciiFloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = AsciiFloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    radius = AsciiIntegerField(
        label=_("Within (miles)"),
        initial=DEFAULT_RADIUS,
        required=False,
        min_value=MIN_RADIUS_MILES,
        max_value=MAX_RADIUS_MILES,
        error_messages={"min_value": RADIUS_MESSAGE, "max_value": RADIUS_MESSAGE, "invalid": RADIUS_MESSAGE},
        widget=forms.NumberInput(attrs={"min": MIN_RADIUS_MILES, "max": MAX_RADIUS_MILES, "step": 1}),
    )
    services = forms.MultipleChoiceField(
        label=_("Care offered (all that you need)"),
        required=False,
        choices=_choices(vocab.Service),
        widget=forms.CheckboxSelectMultiple,
    )
    payment = forms.MultipleChoiceField(
        label=_("How you would pay (any of these)"),
        required=False,
        choices=_choices(vocab.Payment),
        widget=forms.CheckboxSelectMultiple,
    )
    insurer = forms.CharField(label=_("Insurance company (optional)"), required=False, max_length=100)
    ages = forms.ChoiceField(
        label=_("Who is the care for?"),
        required=False,
        choices=[("", _("Anyone")), *_choices(vocab.Age)],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *_choices(vocab.Language)]
    )
    evening = forms.BooleanField(label=_("Open evenings"), required=False)
    weekend = forms.BooleanField(label=_("Open weekends"), required=False)
    page = AsciiIntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    origin: Point | None = None
    origin_label: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translate the option labels once per form rather than once per use
        # in the template (the page renders about a hundred of them).
        for name in ("state", "services", "payment", "ages", "language"):
            field = self.fields[name]
            field.choices = [(code, str(label)) for code, label in field.choices]  # type: ignore[attr-defined]

    def clean_zip(self) -> str:
        value: str = self.cleaned_data["zip"].strip()
        if value and not is_us_zip(value):
            raise forms.ValidationError(_("Enter a five-digit ZIP code, such as 02108."))
        return value

    def clean_radius(self) -> int:
        return self.cleaned_data["radius"] or DEFAULT_RADIUS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if {"zip", "city", "state", "lat", "lon"} & set(self.errors):
            return data
        zip_code, city, state = data.get("zip"), data.get("city", "").strip(), data.get("state")
        lat, lon = data.get("lat"), data.get("lon")
        if zip_code:
            self.origin = zip_point(zip_code)
            if self.origin is None:
                self.add_error(
                    "zip",
                    _("We could not find the ZIP code %(zip)s. Check the digits, or search by city and state.")
                    % {"zip": zip_code},
                )
            self.origin_label = zip_code[:5]
        elif city or state:
            if not (city and state):
                self.add_error("city" if not city else "state", _("Enter both a city and a state."))
            else:
                self.origin = city_point(city, state)
                if self.origin is None:
                    self.add_error(
                        "city",
                        _("We could not find %(city)s in %(state)s. Check the spelling, or search by ZIP code.")
                        % {"city": city, "state": US_STATES.get(state, state)},
                    )
                self.origin_label = f"{city}, {state}"
        elif lat is not None and lon is not None:
            self.origin = Point(lat, lon)
            self.origin_label = str(_("your location"))
        return data

    @property
    def has_place(self) -> bool:
        return self.origin is not None

    def filters(self) -> Filters:
        data = self.cleaned_data
        language = data.get("language")
        ages = data.get("ages")
        return Filters(
            services=vocab.from_codes(vocab.Service, data.get("services") or []),
            payment=vocab.from_codes(vocab.Payment, data.get("payment") or []),
            ages=vocab.from_codes(vocab.Age, [ages]) if ages else 0,
            languages=vocab.from_codes(vocab.Language, [language]) if language else 0,
            evening_hours=bool(data.get("evening")),
            weekend_hours=bool(data.get("weekend")),
            insurer=(data.get("insurer") or "").strip(),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A locator JSON export or a CSV file (UTF-8)."))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Tell from the file name")), *((name, name.upper()) for name in FORMATS)],
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split it into smaller files.")
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"}
            )
        return upload
