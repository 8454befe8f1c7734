# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fee schedules: bad input gets a clear message and saves nothing; rows for
one payer, site and code never overlap; the choice of row for a charge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import AuditEvent
from openiop.billing.models import FeeSchedule
from openiop.billing.services import fee_schedule_create, fee_schedule_end
from openiop.billing.services.facts import Facts
from openiop.billing.tests.core_builders import payer
from openiop.sites.models import Site

JAN = dt.date(2026, 1, 1)


def create(home: Site, **fields: Any) -> FeeSchedule:
    values: dict[str, Any] = {
        "actor": None,
        "organization": home.organization,
        "code": "H0015",
        "charge_amount": "250",
        "expected_amount": "180",
        "effective_from": JAN,
    }
    values.update(fields)
    return fee_schedule_create(**values)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": ""}, "Choose the code this row prices."),
        ({"code": "99213"}, "99213 is not a code the program bills"),
        ({"charge_amount": "-1"}, "The charge cannot be negative."),
        ({"expected_amount": "abc"}, "The expected amount must be an amount such as 150.00."),
        ({"effective_to": dt.date(2025, 12, 31)}, "The last day in force cannot be before the first."),
        ({"revenue_code": "96"}, "A revenue code has four digits"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    north: Site, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        create(north, **fields)

    assert message in " ".join(error.value.messages)
    assert not FeeSchedule.objects.exists()
    assert not AuditEvent.objects.filter(action="billing.fee_schedule.create").exists()


def test_overlapping_rows_for_one_payer_site_and_code_are_refused(north: Site) -> None:
    create(north, effective_to=dt.date(2026, 6, 30))

    with pytest.raises(ValidationError) as error:
        create(north, effective_from=dt.date(2026, 6, 30), charge_amount="300")
    assert "Another row already prices H0015" in " ".join(error.value.messages)

    create(north, effective_from=dt.date(2026, 7, 1), charge_amount="300")  # the day after: fine
    create(north, payer=payer(north), charge_amount="260")  # another payer: fine
    create(north, site=north, charge_amount="240")  # one site: fine
    assert FeeSchedule.objects.count() == 4


def test_ending_a_row_then_adding_the_new_price_is_audited(north: Site) -> None:
    row = create(north)
    fee_schedule_end(actor=None, row=row, last_day=dt.date(2026, 3, 31))
    create(north, effective_from=dt.date(2026, 4, 1), charge_amount="275.5")

    assert FeeSchedule.objects.get(effective_from=dt.date(2026, 4, 1)).charge_amount == Decimal("275.50")
    assert AuditEvent.objects.filter(action__startswith="billing.fee_schedule.").count() == 3
    with pytest.raises(ValidationError):
        fee_schedule_end(actor=None, row=row, last_day=dt.date(2025, 1, 1))


def test_the_payers_own_row_for_the_site_wins_then_all_sites_then_the_default_list(north: Site, south: Site) -> None:
    acme = payer(north)
    default = create(north, charge_amount="200")
    all_sites = create(north, payer=acme, charge_amount="210")
    north_only = create(north, payer=acme, site=north, charge_amount="220")
    facts = Facts(start=JAN, end=JAN)
    facts.fees = [default, all_sites, north_only]
    org = north.organization_id
    day = dt.date(2026, 3, 9)

    assert facts.fee_for(org, acme.pk, north.pk, "H0015", day) == north_only
    assert facts.fee_for(org, acme.pk, south.pk, "H0015", day) == all_sites
    assert facts.fee_for(org, None, north.pk, "H0015", day) == default
    assert facts.fee_for(org, None, north.pk, "90834", day) is None
