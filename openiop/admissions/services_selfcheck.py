# SPDX-License-Identifier: AGPL-3.0-or-later
"""A self-check result a person chose to share from the public website, and
its acknowledgement by staff."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.admissions.models import RISK_OUTCOMES, Inquiry, SelfCheckOutcome, SelfCheckShare
from openiop.audit.services import log_action


@transaction.atomic
def selfcheck_share_record(*, inquiry: Inquiry, outcomes: Sequence[str]) -> SelfCheckShare | None:
    """Keep the self-check outcome a person chose to send with INQUIRY, as
    data the matrix guards (never in the notes). Nothing is kept when nothing
    was shared; unknown codes are refused."""
    if not outcomes:
        return None
    unknown = [code for code in outcomes if code not in SelfCheckOutcome.values]
    if unknown:
        raise ValidationError(_("Unknown self-check outcome: %(codes)s") % {"codes": ", ".join(unknown)})
    ordered = [code for code in SelfCheckOutcome.values if code in outcomes]
    share = SelfCheckShare.objects.create(
        inquiry=inquiry, outcomes=ordered, risk=any(code in RISK_OUTCOMES for code in ordered)
    )
    # The audit trail says a risk was shared, not which: the outcome stays behind the grant.
    log_action("inquiry.selfcheck_shared", obj=share, actor=None, data={"inquiry": inquiry.pk, "risk": share.risk})
    return share


@transaction.atomic
def selfcheck_risk_acknowledge(*, actor: User, share: SelfCheckShare, note: str) -> SelfCheckShare:
    """Take a shared risk off the dashboards, with what was done about it."""
    if not note.strip():
        raise ValidationError({"note": _("Write what you did or decided; a shared risk is acknowledged with a note.")})
    locked = SelfCheckShare.objects.select_for_update().get(pk=share.pk)
    if not locked.risk:
        raise ValidationError(_("No risk was shared with this request; there is nothing to acknowledge."))
    if locked.acknowledged_at is not None:
        raise ValidationError(
            _("%(user)s already acknowledged this risk at %(time)s.")
            % {"user": locked.acknowledged_by, "time": f"{timezone.localtime(locked.acknowledged_at):%Y-%m-%d %H:%M}"}
        )
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor
    locked.acknowledgement_note = note.strip()
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    log_action("inquiry.selfcheck_acknowledged", obj=locked, actor=actor, data={"inquiry": locked.inquiry_id})
    return locked
