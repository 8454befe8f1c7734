# SPDX-License-Identifier: AGPL-3.0-or-later
"""Seed the hours bands from the one list in code (``hours.DEFAULT_BANDS``)
and correct adolescent IOP: 0002 left it without a ceiling, but 20 h/week or
more is partial hospitalization (2.5), so it is 6-19 h/week.

Rows an administrator changed are kept: the adolescent 2.1 row gets the
19-hour ceiling only while it has none, and the seeded rule text only while
it still carries 0002's text. Levels missing from the table are added."""

from typing import Any

from django.db import migrations

from openiop.scheduling import hours

OLD_ADOLESCENT_IOP_RULE = "ASAM Criteria, 3rd ed. (2013): level 2.1 adolescent, 6 h/week or more"


def seed_and_correct(apps: Any, schema_editor: Any) -> None:
    HoursBand = apps.get_model("treatment", "HoursBand")
    for band in hours.DEFAULT_BANDS:
        HoursBand.objects.get_or_create(
            level_of_care=band.level,
            population=band.population,
            defaults={"min_hours": band.min_hours, "max_hours": band.max_hours, "rule": band.rule},
        )
    corrected = hours.default_band("2.1", hours.ADOLESCENT)
    assert corrected is not None and corrected.max_hours is not None
    row = HoursBand.objects.get(level_of_care="2.1", population=hours.ADOLESCENT)
    if row.max_hours is None:
        row.max_hours = corrected.max_hours
        if row.rule == OLD_ADOLESCENT_IOP_RULE:
            row.rule = corrected.rule
        row.save(update_fields=["max_hours", "rule"])


class Migration(migrations.Migration):
    dependencies = [("treatment", "0002_default_hours_bands")]
    operations = [migrations.RunPython(seed_and_correct, migrations.RunPython.noop)]
