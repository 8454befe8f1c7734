# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal
from typing import Any

import zipcodes
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from openiop.core.ascii_digits import is_us_zip
from openiop.core.forms import AsciiDecimalField, AsciiIntegerField, validate_phone
from openiop.insurance.models import SubscriberRelation
from openiop.patients.models import validate_birth_date
from openiop.public import estimator, poverty, selfcheck
from openiop.public.services import (
    BEST_TIMES,
    COVERAGE_CHECK,
    FOR_MYSELF,
    FOR_SOMEONE_ELSE,
    FOR_WHOM_CHOICES,
    LEAVE_MESSAGE_CHOICES,
    SUBSCRIBER_CHOICES,
)
from openiop.scheduling import hours
from openiop.sites.models import Site

YES_NO_UNSURE = [(selfcheck.YES, _("Yes")), (selfcheck.NO, _("No")), (selfcheck.UNSURE, _("Not sure"))]

# Question texts, in the order asked; safety first.
SELF_CHECK_QUESTIONS: list[tuple[str, Any, Any]] = [
    (
        selfcheck.SUICIDE,
        _("Are you having thoughts of suicide or of hurting yourself?"),
        "",
    ),
    (
        selfcheck.EMERGENCY,
        _("Is this a medical emergency right now?"),
        _("For example chest pain, trouble breathing, someone who cannot wake up, or signs of an overdose."),
    ),
    (
        selfcheck.SEIZURES,
        _("Have you ever had a seizure or the DTs (delirium tremens) when you stopped or cut down drinking or using?"),
        "",
    ),
    (
        selfcheck.WITHDRAWAL_SIGNS,
        _(
            "When you stop or cut down, do you get the shakes, heavy sweating, or see or hear things "
            "that are not there?"
        ),
        "",
    ),
    (
        selfcheck.SUPPORT,
        _("Do you have people who support your recovery, such as family, friends or a sponsor?"),
        "",
    ),
    (
        selfcheck.STABLE_HOME,
        _("Do you have a safe, stable place to live where alcohol or drugs are not easy to get?"),
        "",
    ),
    (
        selfcheck.PREVIOUS_IOP,
        _("Have you been in an intensive outpatient program (IOP) before?"),
        "",
    ),
    (
        selfcheck.GROUPS,
        _("Would you feel able to talk and listen in a small group?"),
        _("Most IOP time is spent in groups of about 8 to 12 people."),
    ),
    (
        selfcheck.SCHEDULE,
        _("Do you need treatment that fits around work, school or family?"),
        "",
    ),
]


class SelfCheckForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, question, help_text in SELF_CHECK_QUESTIONS:
            self.fields[code] = forms.ChoiceField(
                label=question,
                help_text=help_text,
                choices=YES_NO_UNSURE,
                widget=forms.RadioSelect,
                error_messages={"required": _('Choose an answer ("Not sure" is fine).')},
            )

    def safety_fields(self) -> list[forms.BoundField]:
        return [self[code] for code in selfcheck.SAFETY_QUESTIONS]

    def fit_fields(self) -> list[forms.BoundField]:
        return [self[code] for code in selfcheck.FIT_FACTORS]


def _money_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return AsciiDecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal(0),
        max_value=estimator.MAX_MONEY,
        decimal_places=2,
        max_digits=9,
        error_messages={
            "min_value": _("Enter an amount of $0 or more."),
            "max_value": _("Enter an amount below $1,000,000."),
            "invalid": _("Enter an amount in dollars, such as 1500 or 1500.00."),
            "max_decimal_places": _("Use at most 2 digits after the point."),
        },
    )


class CostForm(forms.Form):
    GROUP_SERVICES = [
        (estimator.GROUP, _("Group counseling")),
        (estimator.INDIVIDUAL, _("Individual therapy (once a week)")),
        (estimator.FAMILY, _("Family therapy (once a week)")),
        (estimator.DRUG_TESTING, _("Drug testing (once a week)")),
    ]
    INSURANCE = [
        ("none", _("No insurance (self-pay)")),
        ("private", _("Private or employer insurance")),
        ("marketplace", _("Marketplace (ACA) plan")),
        ("medicaid", _("Medicaid")),
        ("medicare", _("Medicare")),
        ("tricare", _("TRICARE")),
        ("other", _("Other insurance")),
    ]
    DEDUCTIBLE = [
        ("unknown", _("I don't know")),
        ("met", _("Already met this year")),
        ("remaining", _("Not met yet: amount left below")),
    ]

    zip_code = forms.CharField(
        label=_("Your ZIP code"),
        required=False,
        max_length=10,
        help_text=_("Or choose one of our locations below. Prices differ by area."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    site = forms.ModelChoiceField(
        label=_("Our location"), queryset=Site.objects.none(), required=False, empty_label=_("Any location"),
        to_field_name="code",
    )  # fmt: skip
    weeks = AsciiIntegerField(
        label=_("How many weeks"),
        initial=8,
        help_text=_("Programs usually last a few weeks to a few months."),
        error_messages={
            "required": _("Enter a number of weeks."),
            "min_value": _("Enter at least 1 week."),
            "max_value": _("Enter %(limit_value)s weeks or fewer."),
            "invalid": _("Enter a whole number of weeks."),
        },
        min_value=1,
        max_value=estimator.MAX_WEEKS,
    )
    days_per_week = AsciiIntegerField(
        label=_("Days per week"),
        initial=3,
        min_value=1,
        max_value=estimator.MAX_DAYS_PER_WEEK,
        error_messages={
            "required": _("Enter a number of days per week."),
            "min_value": _("Enter at least 1 day a week."),
            "max_value": _("A week has 7 days: enter 7 or fewer."),
            "invalid": _("Enter a whole number of days."),
        },
    )
    hours_per_day = AsciiDecimalField(
        label=_("Hours per day"),
        initial=3,
        min_value=estimator.MIN_HOURS_PER_DAY,
        max_value=estimator.MAX_HOURS_PER_DAY,
        decimal_places=1,
        max_digits=4,
        help_text=_("Most programs run about 3 hours a day."),
        error_messages={
            "required": _("Enter the hours per day."),
            "min_value": _("Enter at least half an hour (0.5)."),
            "max_value": _("Enter 12 hours a day or fewer."),
            "invalid": _("Enter a number of hours, such as 3 or 2.5."),
            "max_decimal_places": _("Use at most 1 digit after the point, such as 2.5."),
        },
    )
    services = forms.MultipleChoiceField(
        label=_("Services"),
        choices=GROUP_SERVICES,
        initial=[estimator.GROUP],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medication = forms.BooleanField(
        label=_("Medication management (a prescriber visit every other week)"), required=False
    )
    # Adolescent IOP starts at fewer hours a week (6 rather than 9); left empty, adult.
    population = forms.ChoiceField(
        label=_("Who is the treatment for?"),
        choices=[(hours.ADULT, _("An adult (18 or older)")), (hours.ADOLESCENT, _("A teenager (under 18)"))],
        initial=hours.ADULT,
        required=False,
        widget=forms.RadioSelect,
    )
    insurance = forms.ChoiceField(label=_("Insurance"), choices=INSURANCE, initial="none")
    deductible = forms.ChoiceField(
        label=_("Your deductible"), choices=DEDUCTIBLE, initial="unknown", widget=forms.RadioSelect, required=False
    )
    deductible_remaining = _money_field(_("Deductible left to pay ($)"))
    coinsurance_percent = AsciiDecimalField(
        label=_("Coinsurance (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        max_digits=4,
        help_text=_("The share you pay after the deductible, such as 20."),
        error_messages={
            "min_value": _("Coinsurance is a percentage from 0 to 100."),
            "max_value": _("Coinsurance is a percentage from 0 to 100."),
            "invalid": _("Enter a percentage, such as 20."),
        },
    )
    copay_per_day = _money_field(_("Copay per day ($)"))
    oop_max_remaining = _money_field(
        _("Out-of-pocket maximum left this year ($)"), _("The most you would still pay this year, if you know it.")
    )
    months = AsciiIntegerField(
        label=_("Months to spread payments over"),
        initial=6,
        min_value=1,
        max_value=estimator.MAX_MONTHS,
        error_messages={
            "required": _("Enter a number of months."),
            "min_value": _("Enter at least 1 month."),
            "max_value": _("Enter %(limit_value)s months or fewer."),
            "invalid": _("Enter a whole number of months."),
        },
    )
    household_size = AsciiIntegerField(
        label=_("People in your household"),
        required=False,
        min_value=1,
        max_value=poverty.MAX_HOUSEHOLD,
        help_text=_("You, plus anyone you support or who supports you."),
        error_messages={
            "min_value": _("A household has at least 1 person."),
            "max_value": _("Enter a household of %(limit_value)s people or fewer."),
            "invalid": _("Enter a whole number of people."),
        },
    )
    income = AsciiDecimalField(
        label=_("Household income per year ($)"),
        required=False,
        min_value=Decimal(0),
        max_value=poverty.MAX_INCOME,
        decimal_places=2,
        max_digits=11,
        help_text=_("Before taxes. Used only for this page, never stored."),
        error_messages={
            "min_value": _("Income cannot be negative."),
            "max_value": _("Enter a yearly household income below $10,000,000."),
            "invalid": _("Enter an amount in dollars, such as 32000."),
        },
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites
        self.state = ""

    def clean_zip_code(self) -> str:
        value = str(self.cleaned_data.get("zip_code", "")).strip()
        if not value:
            return ""
        # Checked before the lookup: the zipcodes package panics on digits
        # from other scripts (full-width, Arabic-Indic) instead of raising.
        if not is_us_zip(value):
            raise forms.ValidationError(_("Enter a 5-digit US ZIP code, such as 02108."))
        try:
            matches = zipcodes.matching(value)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a 5-digit US ZIP code, such as 02108.")) from None
        if not matches:
            raise forms.ValidationError(
                _("We don't know the ZIP code %(zip)s. Check it, or choose a location."), params={"zip": value}
            )
        self.state = str(matches[0]["state"])
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site = data.get("site")
        if site is not None and not self.state:
            self.state = site.state
        if "services" in data and not data["services"] and not data.get("medication"):
            self.add_error("services", _("Choose at least one service."))
        if data.get("deductible") == "remaining" and data.get("deductible_remaining") is None:
            self.add_error("deductible_remaining", _('Enter the amount left, or choose "I don\'t know".'))
        if data.get("income") is not None and data.get("household_size") is None:
            self.add_error("household_size", _("Enter your household size to see the sliding scale."))
        if data.get("household_size") is not None and data.get("income") is None:
            self.add_error("income", _("Enter your household income to see the sliding scale."))
        return data

    def plan(self) -> estimator.Plan:
        data = self.cleaned_data
        services = set(data["services"])
        return estimator.Plan(
            weeks=data["weeks"],
            days_per_week=data["days_per_week"],
            hours_per_day=data["hours_per_day"],
            group=estimator.GROUP in services,
            individual=estimator.INDIVIDUAL in services,
            family=estimator.FAMILY in services,
            drug_testing=estimator.DRUG_TESTING in services,
            medication=bool(data["medication"]),
            population=data.get("population") or hours.ADULT,
        )

    def coverage(self) -> estimator.Coverage:
        data = self.cleaned_data
        if data["insurance"] == "none":
            return estimator.Coverage(insured=False)
        deductible: Decimal | None = None
        if data.get("deductible") == "met":
            deductible = Decimal(0)
        elif data.get("deductible") == "remaining":
            deductible = data["deductible_remaining"]
        return estimator.Coverage(
            insured=True,
            deductible_remaining=deductible,
            coinsurance_percent=data.get("coinsurance_percent"),
            copay_per_day=data.get("copay_per_day"),
            oop_max_remaining=data.get("oop_max_remaining"),
        )


class PublicRequestForm(forms.Form):
    """Call-back and coverage-check requests: the least we need to reach the
    person, and their consent to be contacted."""

    site = forms.ModelChoiceField(
        label=_("Which location?"), queryset=Site.objects.none(), to_field_name="code",
        empty_label=_("Choose a location"),
        error_messages={"required": _("Choose the location you would like to hear from.")},
    )  # fmt: skip
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Tell us what to call you.")},
        help_text=_("A first name is enough."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an email address such as name@example.com.")},
    )
    best_time = forms.ChoiceField(label=_("Best time to reach you"), choices=BEST_TIMES, required=False)
    insurer = forms.CharField(
        label=_("Insurance company"),
        max_length=120,
        required=False,
        help_text=_("For example Blue Cross, Aetna, Medicaid or Medicare. Leave empty if you have none."),
    )
    member_id = forms.CharField(
        label=_("Member ID (optional)"),
        max_length=60,
        required=False,
        help_text=_("It is on your insurance card. It helps us check your coverage faster."),
    )
    for_whom = forms.ChoiceField(
        label=_("Who is this for?"),
        choices=FOR_WHOM_CHOICES,
        initial=FOR_MYSELF,
        widget=forms.RadioSelect,
        required=False,  # unanswered: for themselves
    )
    their_name = forms.CharField(
        label=_("Their first name"),
        max_length=100,
        required=False,
        help_text=_("Only if you are asking for someone else. A first name is enough."),
    )
    leave_messages = forms.ChoiceField(
        label=_("May we leave a voicemail or send a text?"),
        choices=LEAVE_MESSAGE_CHOICES,
        widget=forms.RadioSelect,
        # Unanswered: no voicemail and no text, the safe side for someone
        # whose phone others may see.
        required=False,
        help_text=_("Others may see your phone. We will only leave a message in the ways you allow."),
    )
    message = forms.CharField(
        label=_("Anything you would like us to know? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the kind of help you are looking for, or when not to call."),
        error_messages={"max_length": _("Please keep this under %(limit_value)d characters.")},
    )
    # Coverage checks only (removed from the call-back form in __init__).
    birth_date = forms.DateField(
        label=_("Date of birth of the person the treatment is for"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        # Asked, not required: a request for help should not stall on it.
        required=False,
        help_text=_("Insurers need it to find the coverage."),
        error_messages={"invalid": _("Enter the date of birth as month, day and year.")},
    )
    subscriber_relation = forms.ChoiceField(
        label=_("Whose name is the insurance in?"),
        choices=SUBSCRIBER_CHOICES,
        initial=SubscriberRelation.SELF,
        widget=forms.RadioSelect,
        required=False,
    )
    subscriber_name = forms.CharField(
        label=_("Policyholder's full name, as on the card"),
        max_length=150,
        required=False,
        help_text=_("Only if the insurance is in someone else's name."),
    )
    consent = forms.BooleanField(
        label=_("I agree that the program may call, text or email me about this request."),
        error_messages={"required": _("We can only contact you if you agree to it.")},
    )
    # The honeypot: hidden by CSS, so people never fill it in; form-filling
    # robots do, and their request is thanked for and dropped.
    fax_number = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # A self-check result the person chose to send along (only our codes).
    selfcheck = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)
    share_selfcheck = forms.BooleanField(
        label=_("Send my self-check result with this request, so the team knows how to help first."),
        required=False,
    )

    def __init__(self, *args: Any, sites: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites
        if kind != COVERAGE_CHECK:
            for name in ("birth_date", "subscriber_relation", "subscriber_name"):
                del self.fields[name]
        if kind == COVERAGE_CHECK:
            self.fields["insurer"].required = True
            self.fields["insurer"].error_messages["required"] = _("Tell us your insurance company so we can check.")
            self.fields["insurer"].help_text = _("For example Blue Cross, Aetna, Medicaid or Medicare.")

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("fax_number", "").strip())

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        try:
            validate_phone(phone, min_digits=10, max_digits=15)
        except forms.ValidationError:
            raise forms.ValidationError(_("Enter a phone number with area code, such as 617-555-0142.")) from None
        return phone

    def clean_birth_date(self) -> Any:
        born = self.cleaned_data.get("birth_date")
        if born is not None:
            try:
                validate_birth_date(born)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return born

    def clean_selfcheck(self) -> list[str]:
        return selfcheck.parse_summary(str(self.cleaned_data.get("selfcheck", "")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unreachable = not data.get("phone") and not data.get("email")
        if unreachable and "phone" not in self.errors and "email" not in self.errors:
            self.add_error("phone", _("Give a phone number or an email address (or both) so we can reach you."))
        if data.get("for_whom") == FOR_SOMEONE_ELSE and not str(data.get("their_name", "")).strip():
            self.add_error("their_name", _("Tell us the first name of the person you are asking for."))
        relation = data.get("subscriber_relation")
        if relation and relation != SubscriberRelation.SELF and not str(data.get("subscriber_name", "")).strip():
            self.add_error("subscriber_name", _("Give the policyholder's name, as on the insurance card."))
        return data
