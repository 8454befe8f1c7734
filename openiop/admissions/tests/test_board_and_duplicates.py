# SPDX-License-Identifier: AGPL-3.0-or-later
"""Overdue inquiries on the board, and possible duplicates that say why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import selectors, services
from openiop.admissions.models import Inquiry
from openiop.patients.services import patient_register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]


def waiting_since(inquiry: Inquiry, hours: float) -> Inquiry:
    Inquiry.objects.filter(pk=inquiry.pk).update(stage_changed_at=timezone.now() - dt.timedelta(hours=hours))
    inquiry.refresh_from_db()
    return inquiry


def test_an_urgent_inquiry_past_its_due_time_is_overdue_and_first_in_its_column(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    old_routine = waiting_since(make_inquiry(first_name="Old", phone="(201) 555-0101"), hours=24 * 20)
    fresh_urgent = waiting_since(make_inquiry(first_name="Fresh", phone="(201) 555-0102", urgency="urgent"), hours=1)
    late_urgent = waiting_since(make_inquiry(first_name="Late", phone="(201) 555-0103", urgency="urgent"), hours=5)
    assert late_urgent.is_overdue and not fresh_urgent.is_overdue and not old_routine.is_overdue
    [new_column] = [column for column in selectors.inquiry_board(user=navigator) if column.stage == "new"]
    assert new_column.cards == [late_urgent, fresh_urgent, old_routine]
    client.force_login(navigator)
    body = client.get(reverse("admissions:board")).content.decode()
    # Said in words, not by colour alone, and only on the overdue card.
    assert body.count(">Overdue</strong>") == 1
    assert body.index("Overdue") < body.index("Late Diaz") < body.index("Fresh Diaz")
    detail = client.get(reverse("admissions:detail", args=[late_urgent.pk])).content.decode()
    assert 'data-testid="overdue"' in detail


def test_an_overdue_soon_inquiry_comes_before_a_fresh_urgent_one(make_inquiry: MakeInquiry, navigator: User) -> None:
    late_soon = waiting_since(make_inquiry(first_name="Soon", phone="(201) 555-0104", urgency="soon"), hours=80)
    fresh_urgent = waiting_since(make_inquiry(first_name="Now", phone="(201) 555-0105", urgency="urgent"), hours=1)
    [new_column] = [column for column in selectors.inquiry_board(user=navigator) if column.stage == "new"]
    assert new_column.cards == [late_soon, fresh_urgent]


def test_duplicates_say_which_fields_matched(make_inquiry: MakeInquiry) -> None:
    tom = make_inquiry(email="tom@example.invalid")
    found = services.possible_duplicates(
        phone="617 555 0142", first_name="Tom", last_name="Diaz", birth_date=dt.date(1998, 4, 2),
        email="TOM@example.invalid",
    )  # fmt: skip
    [match] = found.inquiries
    assert match.record == tom
    assert match.fields == ["name", "birth_date", "phone", "email"]
    assert match.field_labels == ["name", "date of birth", "phone", "email"]


def test_an_email_alone_is_enough_to_match(make_inquiry: MakeInquiry, north: Site) -> None:
    make_inquiry(email="sam@example.invalid", phone="", preferred_contact="email")
    patient = patient_register(
        site=north, legal_first_name="Sam", legal_last_name="Roe", birth_date=dt.date(1990, 1, 1),
        email="sam@example.invalid",
    )  # fmt: skip
    found = services.possible_duplicates(email="Sam@Example.invalid", first_name="Someone", last_name="Else")
    assert [match.fields for match in found.inquiries] == [["email"]]
    assert [(match.record, match.fields) for match in found.patients] == [(patient, ["email"])]


def test_the_same_seven_digits_behind_another_area_code_are_another_line(make_inquiry: MakeInquiry) -> None:
    make_inquiry(phone="(617) 555-0142")
    assert not services.possible_duplicates(phone="(508) 555-0142")
    # Without an area code on one side, the seven digits still count.
    assert services.possible_duplicates(phone="555-0142").inquiries
    assert services.phones_match("+1 617 555 0142", "(617) 555-0142")


def test_a_shared_name_without_the_birth_date_is_not_a_match(make_inquiry: MakeInquiry) -> None:
    make_inquiry()
    assert not services.possible_duplicates(first_name="Tom", last_name="Diaz", birth_date=dt.date(1999, 1, 1))


def test_the_create_page_links_only_what_the_user_may_open_and_says_what_matched(
    client: Client, navigator: User, make_inquiry: MakeInquiry, south: Site
) -> None:
    here = make_inquiry()
    there = make_inquiry(site=south, first_name="Tom", email="")
    client.force_login(navigator)
    data = {
        "site": here.site_id, "channel": "helpline", "caller_name": "Tom Diaz", "caller_relation": "self",
        "first_name": "Tom", "last_name": "Diaz", "birth_date": "1998-04-02", "phone": "617-555-0142", "email": "",
        "preferred_contact": "phone", "consent_to_contact": "on", "urgency": "routine", "notes": "",
    }  # fmt: skip
    body = client.post(reverse("admissions:create"), data).content.decode()
    assert reverse("admissions:detail", args=[here.pk]) in body
    assert reverse("admissions:detail", args=[there.pk]) not in body
    assert "A record at another site (South Site) that you cannot open" in body
    assert "Matched on: name, date of birth, phone" in body
    assert Inquiry.objects.count() == 2
