# SPDX-License-Identifier: AGPL-3.0-or-later
"""Whoever may record a withdrawal score may open the withdrawal flowsheet.

A CIWA-Ar or COWS can be recorded on the instrument form
("assessments.administer") or on the flowsheet ("withdrawal.record"); the
flowsheet page needs "assessments.view". The defaults grant all three
together, but the matrix is data: a role an administrator gave a recording
grant without the view grant was refused the flowsheet (403) while it could
still record scores onto it. This gives such roles the view grant. On a new
database the actions do not exist yet and the defaults hold already.
"""

from django.db import migrations

VIEW = "assessments.view"
RECORDING = ("assessments.administer", "withdrawal.record")


def grant_view_to_recorders(apps, schema_editor):
    Action = apps.get_model("accounts", "Action")
    Role = apps.get_model("accounts", "Role")
    view = Action.objects.filter(code=VIEW).first()
    if view is None:
        return
    for role in Role.objects.filter(actions__code__in=RECORDING).exclude(actions=view).distinct():
        role.actions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("assessments", "0002_default_thresholds"),
    ]

    operations = [migrations.RunPython(grant_view_to_recorders, migrations.RunPython.noop)]
