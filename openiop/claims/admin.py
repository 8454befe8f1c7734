# SPDX-License-Identifier: AGPL-3.0-or-later
"""Clinicians' NPIs and taxonomies are kept here by administrators; an NPI
that fails the check digit is refused before any claim can carry it."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from openiop.claims.models import ProviderNumber
from openiop.x12.npi import is_valid_npi


class ProviderNumberForm(forms.ModelForm[ProviderNumber]):
    class Meta:
        model = ProviderNumber
        fields = ["user", "npi", "taxonomy"]

    def clean_npi(self) -> str:
        npi = str(self.cleaned_data["npi"]).strip()
        if not is_valid_npi(npi):
            raise forms.ValidationError(
                "This NPI fails the check digit (Luhn over 80840); check it on the NPPES record."
            )
        return npi

    def clean_taxonomy(self) -> str:
        taxonomy = str(self.cleaned_data.get("taxonomy") or "").strip().upper()
        if taxonomy and (len(taxonomy) != 10 or not taxonomy.isalnum()):
            raise forms.ValidationError("A provider taxonomy code has 10 letters or digits, e.g. 101YA0400X.")
        return taxonomy


@admin.register(ProviderNumber)
class ProviderNumberAdmin(admin.ModelAdmin[ProviderNumber]):
    form = ProviderNumberForm
    list_display = ["user", "npi", "taxonomy"]
    search_fields = ["user__username", "user__last_name", "npi"]
