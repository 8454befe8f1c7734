# SPDX-License-Identifier: AGPL-3.0-or-later
from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_notes(apps: Any, schema_editor: Any) -> None:
    """Professional charges made before carry their note's place and
    telehealth modifier too, so the next sync does not replace them all."""
    Charge = apps.get_model("billing", "Charge")
    Note = apps.get_model("treatment", "Note")
    professional = Charge.objects.filter(kind="professional", note__isnull=False)
    professional.update(
        place_of_service=Subquery(Note.objects.filter(pk=OuterRef("note_id")).values("place_of_service")[:1])
    )
    professional.filter(note__modality="telehealth_video").update(modifiers=["95"])
    professional.filter(note__modality="audio_only").update(modifiers=["93"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_charge_placement"),
        ("treatment", "0006_note_service_code_modality_place_entry_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="charge",
            name="place_of_service",
            field=models.CharField(blank=True, max_length=2),
        ),
        migrations.RunPython(from_the_notes, migrations.RunPython.noop),
    ]
