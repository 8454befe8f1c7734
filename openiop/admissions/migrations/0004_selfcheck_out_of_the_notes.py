# SPDX-License-Identifier: AGPL-3.0-or-later
"""Move self-check results already written in inquiry notes into SelfCheckShare.

Website requests used to carry the shared self-check result as a line in the
notes ("They chose to share their self-check result: ..."), which everyone
who may read the inquiry sees, billing and the front desk included. This
moves each such line into the guarded record and takes it out of the notes.
A risk on an inquiry still open waits on the dashboards like a new one (the
safe side); one on an inquiry already admitted, referred or closed is marked
acknowledged by the system, with a note saying so.

Notes were written in the program's language: the English wording and its
translation in the catalogue at migration time are both recognised.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone, translation
from django.utils.translation import gettext

PREFIX = "They chose to share their self-check result: "
# Outcome code and the words the notes used for it, most urgent first.
LABELS = [
    ("crisis", "possible suicide or self-harm risk (shown 988)"),
    ("emergency", "possible medical emergency (shown 911)"),
    ("withdrawal", "possible severe withdrawal risk (advised a medical assessment)"),
    ("good_fit", "IOP looks like a good fit"),
    ("possible_fit", "IOP may fit, with extra support"),
    ("more_structure", "more structure may help at first"),
]
RISKS = {"crisis", "emergency", "withdrawal"}
FINAL_STAGES = {"admitted", "referred", "closed"}
ALREADY_FINAL = (
    "Moved from the inquiry notes when shared self-check results became restricted; "
    "the inquiry had already reached a final stage."
)


def _wordings() -> list[tuple[str, list[tuple[str, str]]]]:
    wordings = [(PREFIX, LABELS)]
    with translation.override(settings.LANGUAGE_CODE):
        prefix = gettext("They chose to share their self-check result: %(outcomes)s.").split("%(outcomes)s")[0]
        translated = [(code, gettext(label)) for code, label in LABELS]
    if prefix != PREFIX:
        wordings.append((prefix, translated))
    return wordings


def _split(notes: str, wordings: list[tuple[str, list[tuple[str, str]]]]) -> tuple[list[str], list[str]]:
    kept, codes = [], []
    for line in notes.splitlines():
        for prefix, labels in wordings:
            if line.startswith(prefix):
                # Longest first, so no label is found inside another.
                for code, label in sorted(labels, key=lambda pair: -len(pair[1])):
                    if label and label in line and code not in codes:
                        codes.append(code)
                        line = line.replace(label, "")
                break
        else:
            kept.append(line)
    order = [code for code, _label in LABELS]
    return kept, sorted(codes, key=order.index)


def move_out_of_notes(apps, schema_editor):
    Inquiry = apps.get_model("admissions", "Inquiry")
    SelfCheckShare = apps.get_model("admissions", "SelfCheckShare")
    wordings = _wordings()
    for inquiry in Inquiry.objects.filter(channel="website").exclude(notes=""):
        kept, codes = _split(inquiry.notes, wordings)
        if len(kept) == len(inquiry.notes.splitlines()):
            continue
        if codes and not SelfCheckShare.objects.filter(inquiry=inquiry).exists():
            final = inquiry.stage in FINAL_STAGES
            risk = bool(RISKS & set(codes))
            SelfCheckShare.objects.create(
                inquiry=inquiry,
                outcomes=codes,
                risk=risk,
                shared_at=inquiry.created_at,
                acknowledged_at=timezone.now() if risk and final else None,
                acknowledgement_note=ALREADY_FINAL if risk and final else "",
            )
        inquiry.notes = "\n".join(kept)
        inquiry.save(update_fields=["notes"])


class Migration(migrations.Migration):
    dependencies = [("admissions", "0003_selfcheck_share")]

    operations = [migrations.RunPython(move_out_of_notes, migrations.RunPython.noop)]
