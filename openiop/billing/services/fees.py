# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fee schedule writes. A row is never changed once a charge copied it: to
change a price, end the row (``effective_to``) and add a new one; charges
made before keep the amounts they copied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openiop.audit.services import log_action
from openiop.billing.models import FeeSchedule
from openiop.billing.rules import BILLED_CODES
from openiop.insurance.models import Payer
from openiop.sites.models import Organization, Site


def _amount(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s must be an amount such as 150.00.") % {"label": label}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def fee_schedule_create(
    *,
    actor: Any,
    organization: Organization,
    code: str,
    charge_amount: Any,
    expected_amount: Any,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    payer: Payer | None = None,
    site: Site | None = None,
    revenue_code: str = "",
) -> FeeSchedule:
    """Add a price for CODE. Refused, with a message a person can act on and
    nothing saved, for a code the program does not bill, a negative amount,
    an end before the start, or dates overlapping another row for the same
    payer, site and code."""
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError(_("Choose the code this row prices."))
    if code not in BILLED_CODES:
        raise ValidationError(
            _("%(code)s is not a code the program bills (%(codes)s).")
            % {"code": code, "codes": ", ".join(BILLED_CODES)}
        )
    if payer is not None and payer.organization_id != organization.pk:
        raise ValidationError(_("That payer belongs to another organization."))
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError(_("That site belongs to another organization."))
    row = FeeSchedule(
        organization=organization,
        payer=payer,
        site=site,
        code=code,
        revenue_code=revenue_code.strip(),
        charge_amount=_amount(charge_amount, _("The charge")),
        expected_amount=_amount(expected_amount, _("The expected amount")),
        effective_from=effective_from,
        effective_to=effective_to,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # Serialize rows for one code so two overlapping saves cannot both pass.
    list(
        FeeSchedule.objects.select_for_update()
        .filter(organization=organization, code=code)
        .order_by("pk")
        .values_list("pk")
    )
    row.full_clean()
    row.save()
    log_action("billing.fee_schedule.create", obj=row, actor=actor, data=_data(row))
    return row


@transaction.atomic
def fee_schedule_end(*, actor: Any, row: FeeSchedule, last_day: dt.date) -> FeeSchedule:
    """End a row on LAST_DAY (to put a new price in force the day after)."""
    current = FeeSchedule.objects.select_for_update().get(pk=row.pk)
    if last_day < current.effective_from:
        raise ValidationError(_("The last day in force cannot be before the first."))
    current.effective_to = last_day
    current.full_clean()
    current.save(update_fields=["effective_to"])
    log_action("billing.fee_schedule.end", obj=current, actor=actor, data=_data(current))
    return current


def _data(row: FeeSchedule) -> dict[str, Any]:
    return {
        "code": row.code,
        "payer": row.payer_id,
        "site": row.site_id,
        "charge": str(row.charge_amount),
        "expected": str(row.expected_amount),
        "from": row.effective_from.isoformat(),
        "to": row.effective_to.isoformat() if row.effective_to else None,
    }
