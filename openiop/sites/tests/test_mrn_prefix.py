# SPDX-License-Identifier: AGPL-3.0-or-later
"""An organization's MRN prefix is unique and never empty, so two
organizations can never issue the same medical record number."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from openiop.sites.models import Organization

pytestmark = pytest.mark.django_db

migration = importlib.import_module("openiop.sites.migrations.0002_organization_mrn_prefix_normalize")


def test_two_organizations_cannot_share_a_prefix(organization: Organization) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="Copycat Recovery", mrn_prefix=organization.mrn_prefix)


def test_validation_names_the_taken_prefix_beside_the_field(organization: Organization) -> None:
    other = Organization(name="Copycat Recovery", mrn_prefix="TR")
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert list(error.value.message_dict) == ["mrn_prefix"]


def test_an_empty_prefix_is_refused_by_validation_and_by_the_database() -> None:
    with pytest.raises(ValidationError) as error:
        Organization(name="No Prefix", mrn_prefix="").full_clean()
    assert "mrn_prefix" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="No Prefix", mrn_prefix="")


@pytest.mark.parametrize("prefix", ["oi", "O-I", "1AB", "O I"])
def test_a_prefix_is_capital_letters_and_digits_starting_with_a_letter(prefix: str) -> None:
    with pytest.raises(ValidationError) as error:
        Organization(name="Odd Prefix", mrn_prefix=prefix).full_clean()
    assert "mrn_prefix" in error.value.message_dict


def test_a_good_prefix_validates() -> None:
    Organization(name="Good Prefix", mrn_prefix="NE2").full_clean()


def test_the_migration_gives_empty_clashing_and_odd_prefixes_distinct_valid_ones() -> None:
    rows = [(1, "oi"), (2, "OI"), (3, ""), (4, "9"), (5, "O-I "), (6, "NE")]
    result = migration.distinct_prefixes(rows)
    assert result[1] == "OI"
    assert result[6] == "NE"
    assert result[4] == "O9"
    assert len(set(result.values())) == len(rows)
    for prefix in result.values():
        Organization(name="x", mrn_prefix=prefix).clean_fields(exclude=["name"])


def test_the_migration_leaves_good_distinct_prefixes_alone() -> None:
    rows = [(1, "OI"), (2, "TR"), (3, "NE2")]
    assert migration.distinct_prefixes(rows) == {1: "OI", 2: "TR", 3: "NE2"}


def test_the_data_step_leaves_a_database_of_good_prefixes_as_it_was(organization: Organization) -> None:
    Organization.objects.create(name="Second", mrn_prefix="SE")
    migration.normalize_prefixes(apps, None)
    assert set(Organization.objects.values_list("mrn_prefix", flat=True)) == {"TR", "SE"}
