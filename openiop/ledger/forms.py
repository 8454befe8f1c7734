# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Account tab's forms: a patient payment, financing, a refund, an
adjustment and a reversal. Each carries a submission key (a UUID made when
the form is shown): the service posts nothing twice for one key, so a double
click or the browser's resend records one transaction.

There is no field for card data: a card is taken on the terminal and only
its authorization or reference number is recorded (and a reference shaped
like a card number is refused by the service)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.insurance.models import Payer
from openiop.ledger.models import PaymentMethod, TransactionKind

# What each form is for: its kind, the methods it offers, its heading.
FORM_KINDS: dict[str, dict[str, Any]] = {
    "payment": {
        "kind": TransactionKind.PATIENT_PAYMENT,
        "methods": [PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD],
        "title": _("Take a patient payment"),
    },
    "financing": {
        "kind": TransactionKind.FINANCING,
        "methods": [PaymentMethod.LENDER],
        "title": _("Record financing (an outside lender's payment)"),
    },
    "refund": {
        "kind": TransactionKind.REFUND,
        "methods": [PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.ACH],
        "title": _("Refund a credit to the patient"),
    },
    "adjustment": {
        "kind": TransactionKind.ADJUSTMENT,
        "methods": [PaymentMethod.NONE],
        "title": _("Adjust a balance"),
    },
}


def new_submission_key() -> str:
    return str(uuid.uuid4())


class TransactionForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount ($)"), max_digits=9, decimal_places=2)
    method = forms.ChoiceField(label=_("Payment method"), choices=())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Check number or the card terminal's authorization number. Never the card number."),
    )
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
    posted_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, form_kind: str, payers: list[Payer] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("posted_on", timezone.localdate())
        kwargs["initial"].setdefault("submission_key", new_submission_key())
        super().__init__(*args, **kwargs)
        self.form_kind = form_kind
        spec = FORM_KINDS[form_kind]
        method_field = self.fields["method"]
        assert isinstance(method_field, forms.ChoiceField)
        method_field.choices = [(m.value, m.label) for m in spec["methods"]]
        if form_kind == "adjustment":
            del self.fields["method"]
            self.fields["memo"].required = True
            self.fields["memo"].label = _("Reason")
            self.fields["reference"].help_text = ""
            # An adjustment may clear a payer's balance too (e.g. a small balance the payer will never pay).
            self.fields["party"] = forms.ChoiceField(
                label=_("Whose balance"),
                choices=[("", _("The patient's"))] + [(str(p.pk), p.name) for p in payers or []],
                required=False,
            )
        if form_kind == "financing":
            del self.fields["method"]
            self.fields["memo"].required = True
            self.fields["memo"].label = _("Lender's name")
            self.fields["reference"].required = True
            self.fields["reference"].label = _("Loan reference")
            self.fields["reference"].help_text = _("The lender's loan or account number for this payment.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") in (PaymentMethod.CHECK, PaymentMethod.CARD) and not data.get("reference"):
            self.add_error(
                "reference",
                _("Enter the check number.")
                if data["method"] == PaymentMethod.CHECK
                else _("Enter the terminal's authorization or reference number."),
            )
        return data

    @property
    def kind(self) -> TransactionKind:
        kind: TransactionKind = FORM_KINDS[self.form_kind]["kind"]
        return kind

    def method_value(self) -> str:
        if self.form_kind == "financing":
            return PaymentMethod.LENDER.value
        return str(self.cleaned_data.get("method") or "")


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is it reversed?"), max_length=300)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_key", new_submission_key())
        super().__init__(*args, **kwargs)
