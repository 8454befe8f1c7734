# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.claims.models import ClaimStatus
from openiop.insurance.models import ClaimType, Payer


class ClaimFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", _("Any status")), *ClaimStatus.choices], required=False)
    payer = forms.ModelChoiceField(queryset=Payer.objects.none(), required=False, empty_label=_("Any payer"))
    claim_type = forms.ChoiceField(choices=[("", _("Any type")), *ClaimType.choices], required=False)
    start = forms.DateField(label=_("Statement from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Statement to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.CharField(label=_("Claim number"), max_length=20, required=False)

    def __init__(self, *args: Any, organization_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(organization_id__in=organization_ids)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The last day cannot be before the first."))
        return cleaned


class ReplaceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Send"),
        choices=[("7", _("A corrected claim (frequency 7)")), ("8", _("A void of this claim (frequency 8)"))],
        widget=forms.RadioSelect,
    )


class BuildForm(forms.Form):
    period = forms.ChoiceField(
        label=_("One claim per patient and"),
        choices=[("week", _("week")), ("month", _("month"))],
        initial="week",
    )
    through = forms.DateField(
        label=_("Charges through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Blank: every ready charge up to today."),
    )


MAX_ANSWER_BYTES = 20 * 1024 * 1024


class AnswerImportForm(forms.Form):
    file = forms.FileField(label=_("999, 277CA or 835 file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ANSWER_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; an answer from a payer is much smaller."))
        return upload
