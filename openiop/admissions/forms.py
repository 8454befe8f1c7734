# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.admissions import pipeline
from openiop.admissions.models import ClosedReason, Inquiry, Pregnancy, ReferralSource, Stage, Substance
from openiop.admissions.services import BENEFITS_FIELDS, INQUIRY_FIELDS, PRESCREEN_FIELDS
from openiop.core.forms import AsciiIntegerField, validate_phone
from openiop.insurance.models import member_id_validator
from openiop.patients.models import Episode, LevelOfCare, Patient
from openiop.scheduling.models import Track
from openiop.sites.models import Room


class InquiryForm(forms.ModelForm[Inquiry]):
    substances = forms.MultipleChoiceField(
        choices=Substance.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Substances")
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False, label=_("I checked the possible matches above: this is a new inquiry for a different person.")
    )

    class Meta:
        model = Inquiry
        fields = ["site", *INQUIRY_FIELDS]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = ReferralSource.objects.filter(active=True)
        if self.instance.pk:
            # Editing: the site stays (moving an inquiry between sites is not
            # a correction), nothing to confirm, and a source deactivated
            # since the call stays selectable so saving does not drop it.
            del self.fields["site"]
            del self.fields["confirm_not_duplicate"]
            self.fields["version"].initial = self.instance.version
            if self.instance.referral_source_id:
                sources = ReferralSource.objects.filter(
                    models.Q(active=True) | models.Q(pk=self.instance.referral_source_id)
                )
        else:
            del self.fields["version"]
            cast(forms.ModelChoiceField[Any], self.fields["site"]).queryset = sites
            if sites.count() == 1:
                self.fields["site"].initial = sites.first()
        cast(forms.ModelChoiceField[Any], self.fields["referral_source"]).queryset = sources

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        validate_phone(phone)
        return phone

    def inquiry_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in INQUIRY_FIELDS}


class MoveForm(forms.Form):
    """Any stage is accepted here; the pipeline decides, so a refused move
    comes back with its reason rather than a generic "not a valid choice"."""

    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    closed_reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=[("", "—"), *ClosedReason.choices], required=False
    )
    referred_to = forms.CharField(label=_("Referred to (program or provider)"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", inquiry.version)
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        # Offer the allowed moves, next step first; booking the assessment
        # and admitting have forms of their own.
        self.fields["to_stage"].widget.choices = [
            (s, labels[s]) for s in pipeline.allowed_moves(inquiry.stage) if s not in STEPS_WITH_THEIR_OWN_FORM
        ]


# Moves that need more than a note: the booking, or the episode of care.
STEPS_WITH_THEIR_OWN_FORM = (pipeline.ASSESSMENT_SCHEDULED, pipeline.ADMITTED)

YES_NO = [("True", _("Yes")), ("False", _("No"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    # Required: a pre-screen that skipped a safety question is not done.
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": _("Ask this question and record the answer.")},
    )


class PrescreenForm(forms.ModelForm[Inquiry]):
    substances = forms.MultipleChoiceField(
        choices=Substance.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Substances used")
    )
    screen_medical_emergency = _yes_no(Inquiry._meta.get_field("screen_medical_emergency").verbose_name)
    screen_suicidal_thoughts = _yes_no(Inquiry._meta.get_field("screen_suicidal_thoughts").verbose_name)
    screen_severe_withdrawal = _yes_no(Inquiry._meta.get_field("screen_severe_withdrawal").verbose_name)
    pregnancy = forms.ChoiceField(label=_("Pregnant"), choices=[("", "—"), *Pregnancy.choices])
    version = AsciiIntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Inquiry
        fields = list(PRESCREEN_FIELDS)
        widgets = {
            "last_use_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "current_treatment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def step_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PRESCREEN_FIELDS}


class BenefitsForm(forms.ModelForm[Inquiry]):
    version = AsciiIntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Inquiry
        fields = list(BENEFITS_FIELDS)
        labels = {
            "insurance_payer": _("Payer (insurer)"),
            "insurance_plan": _("Plan"),
            "insurance_member_id": _("Member ID"),
        }
        help_texts = {
            "insurance_payer": _("Leave payer and member ID empty for self-pay."),
            "insurance_member_id": _("As printed on the card: letters, digits and hyphens."),
            "insurance_subscriber_first_name": _("Only when the person is not the subscriber."),
        }
        widgets = {
            "insurance_subscriber_birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["insurance_member_id"].validators.append(member_id_validator)

    def step_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in BENEFITS_FIELDS}


def clinical_staff_at(site: Any, roles: tuple[str, ...]) -> Any:
    return (
        User.objects.filter(is_active=True, sites=site, roles__code__in=roles)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class AssessmentForm(forms.Form):
    clinician = forms.ModelChoiceField(label=_("Clinician"), queryset=User.objects.none())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, inquiry: Inquiry, clinicians: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", inquiry.version)
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Any], self.fields["clinician"]).queryset = clinicians
        cast(forms.ModelChoiceField[Any], self.fields["room"]).queryset = Room.objects.filter(
            site=inquiry.site, is_active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The assessment must end after it starts."))
        return data


class AdmitForm(forms.Form):
    admission_date = forms.DateField(
        label=_("Admission date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    level_of_care = forms.ChoiceField(label=_("Level of care"), choices=LevelOfCare.choices, initial=LevelOfCare.IOP)
    program = forms.ChoiceField(label=_("Program"), choices=Episode.Program.choices)
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    primary_counsellor = forms.ModelChoiceField(
        label=_("Primary counselor"), queryset=User.objects.none(), required=False
    )
    care_team = forms.ModelMultipleChoiceField(
        label=_("Care team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Others on the care team (nurse, prescriber); the primary counselor is added anyway."),
    )
    existing_patient = forms.ModelChoiceField(
        label=_("Link to this existing chart instead of registering a new one"),
        queryset=Patient.objects.none(),
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, inquiry: Inquiry, counsellors: Any, team: Any, linkable_patients: Any, **kwargs: Any
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("version", inquiry.version)
        initial.setdefault("primary_counsellor", inquiry.assessment_clinician_id)
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Any], self.fields["primary_counsellor"]).queryset = counsellors
        cast(forms.ModelChoiceField[Any], self.fields["care_team"]).queryset = team
        tracks = Track.objects.filter(site=inquiry.site, is_active=True)
        cast(forms.ModelChoiceField[Any], self.fields["track"]).queryset = tracks
        if not tracks.exists():
            del self.fields["track"]
        cast(forms.ModelChoiceField[Any], self.fields["existing_patient"]).queryset = linkable_patients
        if not linkable_patients.exists():
            del self.fields["existing_patient"]


class ReferralSourceForm(forms.ModelForm[ReferralSource]):
    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReferralSource
        fields = ["name", "kind", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            # A new source is active; deactivating is a later decision.
            del self.fields["version"]
            del self.fields["active"]

    def validate_unique(self) -> None:
        # The service checks the name (regardless of capitals) and puts the
        # message beside the field; the form's own check would double it.
        pass


class SelfCheckAcknowledgeForm(forms.Form):
    # Prefixed: the move form on the same page has a "note" field too.
    prefix = "selfcheck"

    note = forms.CharField(
        label=_("What you did or decided"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: called back at once, gave 988, arranged a same-day withdrawal assessment."),
        error_messages={"required": _("Write what you did or decided; a shared risk is acknowledged with a note.")},
    )
