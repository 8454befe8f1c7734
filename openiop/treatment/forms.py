# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.core.forms import AsciiIntegerField, AsciiModelMultipleChoiceField
from openiop.patients.models import Patient, SupportPerson
from openiop.treatment import formats, rules, service_codes
from openiop.treatment.models import (
    Curriculum,
    Goal,
    GroupSession,
    Homework,
    Intervention,
    LibraryEntry,
    Objective,
    PatientAcknowledgement,
    Problem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class LockVersionMixin(forms.Form):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)


class ProblemForm(forms.ModelForm[Problem]):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = ["description", "icd10_code"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_icd10_code(self) -> str:
        return rules.normalise_icd10(self.cleaned_data.get("icd10_code") or "")


class GoalForm(forms.ModelForm[Goal]):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Goal
        fields = ["problem", "statement", "patient_words"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "patient_words": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(forms.ModelForm[Objective]):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Objective
        fields = ["goal", "description", "measurable_target", "target_date", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "target_date": DATE}
        error_messages = {
            "measurable_target": {"required": _("Say how this objective will be measured (a measurable target).")},
            "target_date": {"required": _("Give the date by which the objective should be met.")},
        }


class InterventionForm(forms.ModelForm[Intervention]):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Intervention
        fields = ["problem", "service_type", "description", "sessions_per_week", "minutes", "responsible"]


ITEM_FORMS: dict[str, type[forms.ModelForm[Any]]] = {
    "problem": ProblemForm,
    "goal": GoalForm,
    "objective": ObjectiveForm,
    "intervention": InterventionForm,
}


def item_form(
    kind: str, data: Any, *, instance: Any, version: Any, staff: QuerySet[User], lock: int
) -> forms.ModelForm[Any]:
    form = ITEM_FORMS[kind](data, instance=instance, initial={"lock_version": lock})
    if "problem" in form.fields:
        _choices(form, "problem").queryset = Problem.objects.filter(version=version)
    if "goal" in form.fields:
        _choices(form, "goal").queryset = Goal.objects.filter(version=version)
    if "responsible" in form.fields:
        _choices(form, "responsible").queryset = staff
    return form


class PlanSignForm(LockVersionMixin):
    acknowledgement = forms.ChoiceField(
        label=_("Patient's acknowledgment"), choices=PatientAcknowledgement.choices, widget=forms.RadioSelect
    )
    acknowledgement_note = forms.CharField(
        label=_("Reason (when the patient did not acknowledge)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    """The fields of one note; the section fields follow its template."""

    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)
    session_date = forms.DateField(label=_("Date of service"), widget=DATE)
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    service_code = forms.ChoiceField(
        label=_("Service code"),
        choices=[("", _("— choose —")), *service_codes.SERVICE_CODES],
        required=False,
        help_text=_("Left blank, it is filled in from the kind of note and its length."),
    )
    modality = forms.ChoiceField(
        label=_("Modality"),
        choices=service_codes.MODALITIES,
        initial=service_codes.IN_PERSON,
        required=False,
        widget=forms.RadioSelect,
    )
    place_of_service = forms.ChoiceField(
        label=_("Place of service"),
        choices=[("", _("— the usual one for the modality —")), *service_codes.PLACES_OF_SERVICE],
        required=False,
        help_text=_("Left blank: 57 in person; telehealth 10 when the patient is at home, 02 when elsewhere."),
    )

    def clean_modality(self) -> str:
        return str(self.cleaned_data.get("modality") or service_codes.IN_PERSON)

    objectives = AsciiModelMultipleChoiceField(
        label=_("Plan objectives addressed"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = AsciiModelMultipleChoiceField(
        label=_("Family and support people present"),
        queryset=SupportPerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, note_format: str, objectives: list[Objective], attendees: QuerySet[SupportPerson] | None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        for section in formats.FORMATS[note_format].sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.label, help_text=section.help, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
        _choices(self, "objectives").queryset = Objective.objects.filter(pk__in=[o.pk for o in objectives])
        if attendees is None:
            del self.fields["attendees"]
        else:
            _choices(self, "attendees").queryset = attendees

    def sections(self) -> dict[str, str]:
        return {
            s.key: self.cleaned_data.get(f"section_{s.key}", "") for s in formats.FORMATS[self.note_format].sections
        }


class NoteSignForm(forms.Form):
    """The signer's reason, asked when signing before the session has ended
    or after the late-entry window."""

    entry_reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 4}))


class HomeworkForm(forms.Form):
    assigned_to = forms.ChoiceField(label=_("For"), choices=Homework.AssignedTo.choices)
    support_person = forms.ModelChoiceField(
        label=_("Family member"), queryset=SupportPerson.objects.none(), required=False
    )
    description = forms.CharField(label=_("Assignment"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args: Any, people: QuerySet[SupportPerson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "support_person").queryset = people


class HomeworkCompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    note = forms.CharField(label=_("How it went"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GroupCreateForm(forms.Form):
    session_date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    curriculum = forms.ChoiceField(label=_("Curriculum"), choices=Curriculum.choices)
    curriculum_session = forms.CharField(label=_("Curriculum session"), max_length=100, required=False)
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    patients = AsciiModelMultipleChoiceField(
        label=_("Participants"), queryset=Patient.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, staff: QuerySet[User], patients: QuerySet[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "facilitator").queryset = staff
        _choices(self, "patients").queryset = patients
        cast("forms.ModelMultipleChoiceField[Any]", self.fields["patients"]).label_from_instance = (  # type: ignore[method-assign]
            lambda obj: f"{obj.display_name} ({obj.mrn})"
        )


class GroupHeaderForm(forms.ModelForm[GroupSession]):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = GroupSession
        fields = ["session_date", "start_time", "end_time", "topic", "curriculum", "curriculum_session", "narrative"]
        widgets = {
            "session_date": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }


class CounselingNoteForm(forms.Form):
    lock_version = AsciiIntegerField(widget=forms.HiddenInput, required=False)
    session_date = forms.DateField(label=_("Date of the conversation"), widget=DATE)
    text = forms.CharField(
        label=_("SUD counseling note"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What was said in the counseling conversation. Medications, session times, test results and summaries of "
            "diagnosis, plan, symptoms or progress belong in a progress note, not here."
        ),
    )


class LibraryPickForm(LockVersionMixin):
    entry = forms.ModelChoiceField(
        label=_("Common problem from the plan library"),
        queryset=LibraryEntry.objects.none(),
        help_text=_("Adds the problem with its goal, objectives and services; then change any of it for this patient."),
    )

    def __init__(self, *args: Any, problems: list[LibraryEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = _choices(self, "entry")
        entry.queryset = LibraryEntry.objects.filter(pk__in=[p.pk for p in problems]).order_by("position", "pk")
        entry.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.text} ({obj.icd10_code})" if obj.icd10_code else obj.text
        )


class LibraryEntryForm(forms.ModelForm[LibraryEntry]):
    class Meta:
        model = LibraryEntry
        fields = [
            "kind", "parent", "text", "icd10_code", "measurable_target", "target_days", "service_type",
            "sessions_per_week", "minutes", "active",
        ]  # fmt: skip
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = _choices(self, "parent")
        parent.queryset = LibraryEntry.objects.filter(kind__in=["problem", "goal"]).order_by("kind", "position")
        parent.label_from_instance = lambda obj: f"{obj.get_kind_display()}: {obj.text[:70]}"  # type: ignore[method-assign]

    def clean_icd10_code(self) -> str:
        return rules.normalise_icd10(self.cleaned_data.get("icd10_code") or "")
