# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms for the billing pages. They shape input; the packet's rules (a
justification, a period that has happened) are checked in ``packets``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.billing.packets import MAX_JUSTIFICATION
from openiop.privacy.information import Channel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# How a packet goes to a payer's reviewer (a call is not a packet).
PACKET_CHANNELS = [
    (Channel.FAX, Channel.FAX.label),
    (Channel.PORTAL, Channel.PORTAL.label),
    (Channel.SECURE_EMAIL, Channel.SECURE_EMAIL.label),
    (Channel.MAIL, Channel.MAIL.label),
]


class ReviewPacketForm(forms.Form):
    reviewer_name = forms.CharField(
        label=_("Payer's reviewer (optional)"),
        max_length=150,
        required=False,
        help_text=_("The utilization reviewer's name, when the payer gave one."),
    )
    channel = forms.ChoiceField(label=_("Sent by"), choices=PACKET_CHANNELS)
    period_start = forms.DateField(label=_("Records from"), widget=DATE)
    period_end = forms.DateField(label=_("Records to"), widget=DATE)
    clinician = forms.CharField(
        label=_("Clinician"),
        max_length=150,
        error_messages={"required": _("Name the clinician whose justification this is.")},
    )
    justification = forms.CharField(
        label=_("Clinician's justification for continued care"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the clinician's justification for continued care.")},
        help_text=_(
            "Why this level of care is still needed: current symptoms and risks, progress against the plan, "
            "and what would happen at a lower level of care."
        ),
    )
