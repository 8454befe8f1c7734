# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.core.forms import AsciiIntegerField, AsciiModelMultipleChoiceField
from openiop.patients.models import Episode, Patient
from openiop.scheduling.models import (
    ClinicianAvailability,
    PatientAvailability,
    Track,
    parse_rrule,
    service_choices,
)
from openiop.sites.models import Room, Site, Weekday

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _check_capacity(cleaned: dict[str, Any], form: forms.BaseForm) -> None:
    low, high = cleaned.get("capacity_min"), cleaned.get("capacity_max")
    if low is not None and high is not None and high < low:
        form.add_error(
            "capacity_max", _("The maximum group size must be at least the minimum (%(min)d).") % {"min": low}
        )


def _check_times(
    cleaned: dict[str, Any], form: forms.BaseForm, start: str = "start_time", end: str = "end_time"
) -> None:
    if cleaned.get(start) and cleaned.get(end) and cleaned[end] <= cleaned[start]:
        form.add_error(end, _("The end must be after the start."))


class TrackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Track.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example Evening track (Mon/Wed/Thu)."))


class _SiteForm(forms.Form):
    def __init__(self, *args: Any, site: Site, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        if "room" in self.fields:
            self.fields["room"].queryset = Room.objects.filter(site=site, is_active=True)  # type: ignore[attr-defined]
        if "track" in self.fields:
            self.fields["track"].queryset = Track.objects.filter(site=site, is_active=True)  # type: ignore[attr-defined]
        if "facilitator" in self.fields:
            self.fields["facilitator"].queryset = staff  # type: ignore[attr-defined]


class SeriesForm(_SiteForm):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none())
    service = forms.ChoiceField(label=_("Service"), choices=service_choices(groups_only=True))
    title = forms.CharField(label=_("Title"), max_length=120, required=False, help_text=_("Defaults to the service."))
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    capacity_min = AsciiIntegerField(label=_("Minimum group size"), min_value=1, initial=3)
    capacity_max = AsciiIntegerField(label=_("Maximum group size"), min_value=1, initial=12)
    starts_on = forms.DateField(label=_("First date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    rrule = forms.CharField(
        label=_("Recurrence rule (RFC 5545)"),
        max_length=300,
        initial="FREQ=WEEKLY;BYDAY=MO,WE,TH",
        help_text=_("For example FREQ=WEEKLY;BYDAY=MO,WE,TH or FREQ=WEEKLY;BYDAY=SA;COUNT=12."),
    )
    weeks = AsciiIntegerField(label=_("Create sessions for the next ... weeks"), min_value=1, max_value=26, initial=8)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_capacity(cleaned, self)
        _check_times(cleaned, self)
        if cleaned.get("rrule") and cleaned.get("starts_on") and cleaned.get("start_time"):
            try:
                parse_rrule(cleaned["rrule"], dt.datetime.combine(cleaned["starts_on"], cleaned["start_time"]))
            except ValidationError as error:
                self.add_error("rrule", error)
        return cleaned


class SessionForm(_SiteForm):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    service = forms.ChoiceField(label=_("Service"), choices=service_choices(groups_only=True))
    title = forms.CharField(label=_("Title"), max_length=120, required=False, help_text=_("Defaults to the service."))
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    day = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    capacity_min = AsciiIntegerField(label=_("Minimum group size"), min_value=1, initial=3)
    capacity_max = AsciiIntegerField(label=_("Maximum group size"), min_value=1, initial=12)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_capacity(cleaned, self)
        _check_times(cleaned, self)
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)


class RescheduleForm(ReasonForm):
    day = forms.DateField(label=_("New date"), widget=DATE)
    start_time = forms.TimeField(label=_("New start"), widget=TIME)
    end_time = forms.TimeField(label=_("New end"), widget=TIME)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, help_text=_("Leave empty to keep the room.")
    )
    field_order = ["day", "start_time", "end_time", "room", "reason"]

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(site=site, is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_times(cleaned, self)
        return cleaned


class EpisodesChoice(AsciiModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.patient.display_name} ({obj.patient.mrn})"


class EnrolForm(forms.Form):
    """Several patients at once: a checkbox list (a search box filters it
    when script runs; without script it is a plain list)."""

    episodes = EpisodesChoice(
        label=_("Patients"),
        queryset=Episode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one patient to enroll.")},
    )

    def __init__(self, *args: Any, episodes: QuerySet[Episode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episodes"].queryset = episodes  # type: ignore[attr-defined]


class AppointmentForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Service"), choices=[c for c in service_choices() if not c[0].startswith("group_")]
    )
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    day = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args: Any, site: Site, clinicians: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(site=site, is_active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_times(cleaned, self)
        return cleaned


class PatientAvailabilityForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PatientAvailability
        fields = ["kind", "weekday", "start_time", "end_time", "note"]
        widgets = {"start_time": TIME, "end_time": TIME}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_times(cleaned, self)
        return cleaned


class ClinicianAvailabilityForm(forms.ModelForm):  # type: ignore[type-arg]
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())

    class Meta:
        model = ClinicianAvailability
        fields = ["site", "weekday", "start_time", "end_time", "weekly_caseload"]
        widgets = {"start_time": TIME, "end_time": TIME}

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_times(cleaned, self)
        return cleaned


class PatientAvailabilityEditForm(PatientAvailabilityForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)


class ClinicianAvailabilityEditForm(ClinicianAvailabilityForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)


class TrackStatusForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput,
        help_text=_("Why the track is switched on or off (kept in the audit trail)."),
    )


class CalendarForm(forms.Form):
    BY = [("room", _("Room")), ("clinician", _("Clinician")), ("track", _("Track")), ("patient", _("Patient"))]
    SPAN = [("week", _("Week")), ("day", _("Day"))]
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    by = forms.ChoiceField(label=_("Rows"), choices=BY, required=False)
    patient = forms.ModelChoiceField(
        label=_("Patient (when by patient)"), queryset=Patient.objects.none(), required=False
    )
    span = forms.ChoiceField(label=_("Show"), choices=SPAN, required=False)
    day = forms.DateField(label=_("Date"), widget=DATE, required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], patients: QuerySet[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["patient"].queryset = patients  # type: ignore[attr-defined]


class HoursForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    day = forms.DateField(label=_("Week of"), widget=DATE, required=False)
    attention = forms.BooleanField(label=_("Only patients needing attention"), required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


class BuildForm(forms.Form):
    week_start = forms.DateField(label=_("Week starting (a Monday)"), widget=DATE)

    def clean_week_start(self) -> dt.date:
        value: dt.date = self.cleaned_data["week_start"]
        if value.weekday() != 0:
            raise ValidationError(
                _("Choose a Monday: %(date)s is a %(day)s.") % {"date": value, "day": Weekday(value.weekday()).label}
            )
        return value


class FeedForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, required=False, help_text=_("For example 'phone'."))
