# SPDX-License-Identifier: AGPL-3.0-or-later
"""Default escalation thresholds for ambulatory withdrawal monitoring
(CONFIGURABLE: an administrator changes them in the admin)."""

from django.db import migrations

DEFAULTS = [
    (
        "CIWA-Ar",
        15,
        "Tell the prescriber today; consider medically monitored withdrawal management (CIWA-Ar 15 or more).",
    ),
    (
        "COWS",
        25,
        "Tell the prescriber today; moderately severe opioid withdrawal (COWS 25 or more) may need a higher level of care.",
    ),
]


def add_defaults(apps, schema_editor):
    MonitoringThreshold = apps.get_model("assessments", "MonitoringThreshold")
    for code, escalate_at, guidance in DEFAULTS:
        MonitoringThreshold.objects.get_or_create(
            instrument_code=code, defaults={"escalate_at": escalate_at, "guidance": guidance}
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
