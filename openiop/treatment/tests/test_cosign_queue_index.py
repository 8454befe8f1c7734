# SPDX-License-Identifier: AGPL-3.0-or-later
"""The co-sign queue on the dashboards reads its few hundred rows through
partial indexes (notes and plan versions signed, awaiting co-signature, in
signing order) instead of scanning every note a program ever wrote
(bench.pages measures the difference at 10,000 patients; whether a planner
picks an index over a handful of test rows says nothing, so this checks that
the indexes are there and the queue's filters still imply their condition)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Q

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.treatment import selectors
from openiop.treatment.models import Note, PlanVersion

pytestmark = pytest.mark.django_db


def test_the_cosign_queue_has_a_partial_index_its_filters_imply(persona: Callable[..., User]) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    notes, plans = selectors.cosign_querysets(director)
    for model, queryset, name in (
        (Note, notes, "note_awaiting_cosign"),
        (PlanVersion, plans, "planversion_awaiting_cosign"),
    ):
        with connection.cursor() as cursor:
            assert name in connection.introspection.get_constraints(cursor, model._meta.db_table)
        (index,) = [index for index in model._meta.indexes if index.name == name]
        assert index.fields == ["signed_at"]
        assert index.condition == Q(status="signed", cosign_required=True, cosigned_at__isnull=True)
        sql, params = queryset.query.sql_with_params()
        table = model._meta.db_table
        assert f'"{table}"."cosign_required"' in sql and f'"{table}"."cosigned_at" IS NULL' in sql
        assert "signed" in params and 'ORDER BY "' + table + '"."signed_at" ASC' in sql
