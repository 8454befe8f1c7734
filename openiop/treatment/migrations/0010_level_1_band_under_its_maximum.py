# SPDX-License-Identifier: AGPL-3.0-or-later
"""Level 1 is "under 9 hours a week" (6 for adolescents). It was stored as at
most 8.9 h, which left 8 h 55 min to 8 h 59 min above level 1 and below IOP
at once. A band may now exclude its maximum; the default level 1 rows become
"under 9" and "under 6". A row an administrator changed is left alone."""

from decimal import Decimal
from typing import Any

from django.db import migrations, models

UNDER = {"adult": (Decimal("8.9"), Decimal(9)), "adolescent": (Decimal("5.9"), Decimal(6))}


def level_1_under_its_maximum(apps: Any, schema_editor: Any) -> None:
    HoursBand = apps.get_model("treatment", "HoursBand")
    for population, (old_max, new_max) in UNDER.items():
        HoursBand.objects.filter(level_of_care="1", population=population, max_hours=old_max).update(
            max_hours=new_max, max_exclusive=True
        )


def back_to_at_most(apps: Any, schema_editor: Any) -> None:
    HoursBand = apps.get_model("treatment", "HoursBand")
    for population, (old_max, new_max) in UNDER.items():
        HoursBand.objects.filter(
            level_of_care="1", population=population, max_hours=new_max, max_exclusive=True
        ).update(max_hours=old_max)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0009_cosign_queue_indexes")]

    operations = [
        migrations.AddField(
            model_name="hoursband",
            name="max_exclusive",
            field=models.BooleanField(
                default=False,
                help_text="Ticked: the band ends just under the maximum (level 1 is under 9 hours a week).",
                verbose_name="maximum excluded",
            ),
        ),
        migrations.RunPython(level_1_under_its_maximum, back_to_at_most),
    ]
