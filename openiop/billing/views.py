# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing pages: the concurrent-review packet for an authorization (this
module), the workspace and its export, fee schedules (``views_workspace``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.access import has_action
from openiop.billing import packets
from openiop.billing.forms import ReviewPacketForm
from openiop.billing.permissions import BILLING_REVIEW_PACKET
from openiop.core.views import attach_error, read_restricted_or_404, require_action, staff_user
from openiop.insurance.models import Authorization
from openiop.privacy.permissions import DISCLOSURES_RECORD
from openiop.privacy.services import DisclosureRefused


def _review_request(data: dict[str, object]) -> packets.ReviewRequest:
    return packets.ReviewRequest(
        reviewer_name=str(data["reviewer_name"]),
        channel=str(data["channel"]),
        period_start=data["period_start"],  # type: ignore[arg-type]
        period_end=data["period_end"],  # type: ignore[arg-type]
        justification=str(data["justification"]),
        clinician=str(data["clinician"]),
    )


@require_action(BILLING_REVIEW_PACKET)
@require_http_methods(["GET", "POST"])
def review_packet(request: HttpRequest, pk: int) -> HttpResponse:
    """Build the concurrent-review packet for an authorization: fill in the
    justification, preview what the gate would let go, release it (recorded
    as a disclosure for payment; the PDF is then downloaded and sent)."""
    authorization = read_restricted_or_404(
        Authorization.objects.select_related("patient__organization", "coverage__payer", "episode__site"),
        request,
        BILLING_REVIEW_PACKET,
        view="billing_review_packet",
        pk=pk,
    )
    user = staff_user(request)
    start, end = packets.default_period(authorization, timezone.localdate())
    form = ReviewPacketForm(
        request.POST or None,
        initial={
            "channel": "fax",
            "period_start": start,
            "period_end": end,
            "clinician": user.get_full_name() or user.get_username(),
        },
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        review = _review_request(form.cleaned_data)
        try:
            packets.check_request(review)
            if request.POST.get("action") == "release":
                release = packets.packet_release(actor=user, authorization=authorization, request=review)
                messages.success(request, _("Packet built and the disclosure recorded. Download it and send it."))
                if has_action(user, DISCLOSURES_RECORD):
                    return HttpResponseRedirect(reverse("privacy:release", args=[release.patient_id, release.pk]))
                return HttpResponseRedirect(reverse("billing:review_packet", args=[authorization.pk]))
            preview = packets.preview(authorization, review)
        except DisclosureRefused as exc:
            messages.error(request, _("Refused: %(reason)s") % {"reason": exc.decision.message})
        except ValidationError as exc:
            attach_error(request, form, exc)
    return render(
        request,
        "billing/review_packet.html",
        {
            "authorization": authorization,
            "patient": authorization.patient,
            "form": form,
            "preview": preview,
            "information": packets.REVIEW_INFORMATION,
        },
    )
