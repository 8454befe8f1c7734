# SPDX-License-Identifier: AGPL-3.0-or-later
"""42 CFR Part 2 status in the patient banner (registered in apps.ready()):
whether the patient acknowledged the notice, and the consents in force."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from openiop.privacy.information import ConsentKind
from openiop.privacy.models import Consent, NoticeAcknowledgement
from openiop.privacy.permissions import CONSENTS_VIEW
from openiop.privacy.services import treatment_ended_on

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def part2_item(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Three queries whatever the number of consents: the latest notice
    acknowledgement, the end of treatment (for consents that run until it),
    and the consents, whose state is worked out in Python."""
    user = request.user
    today = timezone.localdate()
    notice = (
        NoticeAcknowledgement.objects.restrict(user, CONSENTS_VIEW)
        .filter(patient=patient)
        .only("pk", "patient_id", "given_on")
        .order_by("-given_on", "-pk")
        .first()
    )
    ended = treatment_ended_on(patient)
    active = Counter(
        consent.kind
        for consent in Consent.objects.restrict(user, CONSENTS_VIEW).filter(patient=patient)
        if consent.terms(treatment_ended_on=ended).state(today) == "active"
    )
    labels = dict(ConsentKind.choices)
    return {
        "patient": patient,
        "notice_given_on": notice.given_on if notice else None,
        "active_consents": [(str(labels.get(kind, kind)), count) for kind, count in sorted(active.items())],
    }
