# SPDX-License-Identifier: AGPL-3.0-or-later
"""Default hours-per-week bands by level of care (an administrator may change
them; the rule text is shown beside the warning)."""

from decimal import Decimal
from typing import Any

from django.db import migrations

ASAM = "ASAM Criteria, 3rd ed. (2013)"
BANDS = [
    # level, population, min, max, rule
    ("1", "adult", None, Decimal("8.9"), f"{ASAM}: level 1 adult, under 9 h/week"),
    ("1", "adolescent", None, Decimal("5.9"), f"{ASAM}: level 1 adolescent, under 6 h/week"),
    ("2.1", "adult", Decimal(9), Decimal(19), f"{ASAM}: level 2.1 adult, 9 h/week or more; Medicare IOP (2024): 9-19 h/week"),
    ("2.1", "adolescent", Decimal(6), None, f"{ASAM}: level 2.1 adolescent, 6 h/week or more"),
    ("2.5", "adult", Decimal(20), None, f"{ASAM}: level 2.5, 20 h/week or more"),
    ("2.5", "adolescent", Decimal(20), None, f"{ASAM}: level 2.5, 20 h/week or more"),
]


def add_bands(apps: Any, schema_editor: Any) -> None:
    HoursBand = apps.get_model("treatment", "HoursBand")
    for level, population, low, high, rule in BANDS:
        HoursBand.objects.get_or_create(
            level_of_care=level, population=population, defaults={"min_hours": low, "max_hours": high, "rule": rule}
        )


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]
    operations = [migrations.RunPython(add_bands, migrations.RunPython.noop)]
