# SPDX-License-Identifier: AGPL-3.0-or-later
"""The plan library's starting content: common problems in an SUD IOP, each
with a goal, measurable objectives and the usual services. The clinical
director edits it from the Plan library page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import migrations

# (problem, ICD-10-CM, goal, [(objective, measurable target, days)], [(service, text, per week, minutes)])
LIBRARY: list[tuple[str, str, str, list[tuple[str, str, int]], list[tuple[str, str, str, int]]]] = [
    (
        "Alcohol use continues despite harm to health, work and family; unable to cut down.",
        "F10.20",
        "Stop drinking and build a sober daily routine.",
        [
            ("Attend the IOP schedule.", "9 or more hours attended each week for 4 weeks in a row", 28),
            (
                "Name personal triggers with a coping step for each.",
                "3 triggers with a coping step each, reviewed in session",
                14,
            ),
        ],
        [
            ("group", "IOP group counseling (relapse prevention, coping skills)", "3", 180),
            ("individual", "Individual therapy (motivational interviewing, CBT)", "1", 50),
        ],
    ),
    (
        "Opioid use with cravings and a risk of overdose.",
        "F11.20",
        "Stay safe from overdose and stop illicit opioid use.",
        [
            (
                "Take medication for opioid use disorder as prescribed.",
                "Every medication visit kept and drug tests consistent with it for 4 weeks",
                30,
            ),
            ("Carry naloxone and know how to use it.", "Shows the naloxone kit and explains each step", 7),
        ],
        [
            ("medication_management", "Medication management (MOUD)", "1", 20),
            ("group", "IOP group counseling", "3", 180),
            ("drug_testing", "Weekly drug test, results reviewed with the patient", "1", 15),
        ],
    ),
    (
        "Stimulant use disrupting sleep, work and relationships.",
        "F15.20",
        "Stop stimulant use and rebuild daily structure (Matrix Model).",
        [
            ("Keep a written daily schedule.", "Schedule completed on 5 of 7 days for 3 weeks", 21),
            ("Stay free of stimulants.", "4 negative weekly drug tests in a row", 28),
        ],
        [
            ("group", "Matrix Model groups (early recovery skills, relapse prevention)", "3", 180),
            ("drug_testing", "Weekly drug test", "1", 15),
        ],
    ),
    (
        "High risk of relapse: few sober supports and stress without coping skills.",
        "",
        "Build a recovery support network and coping skills.",
        [
            ("Attend mutual-help meetings.", "3 meetings a week for 4 weeks, by attendance sheet", 28),
            (
                "Name two sober supports to call when cravings start.",
                "Two names and numbers written on the safety plan",
                14,
            ),
        ],
        [
            ("individual", "Individual therapy (relapse prevention planning)", "1", 50),
            ("case_management", "Case management (housing, work, benefits)", "0.5", 30),
        ],
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Entry = apps.get_model("treatment", "LibraryEntry")
    if Entry.objects.exists():
        return
    for position, (problem_text, code, goal_text, objectives, services) in enumerate(LIBRARY, start=1):
        problem = Entry.objects.create(kind="problem", text=problem_text, icd10_code=code, position=position)
        goal = Entry.objects.create(kind="goal", parent=problem, text=goal_text, position=1)
        for number, (text, target, days) in enumerate(objectives, start=1):
            Entry.objects.create(
                kind="objective", parent=goal, text=text, measurable_target=target, target_days=days, position=number
            )
        for number, (service, text, per_week, minutes) in enumerate(services, start=1):
            Entry.objects.create(
                kind="intervention", parent=problem, text=text, service_type=service,
                sessions_per_week=Decimal(per_week), minutes=minutes, position=number,
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("treatment", "0007_plan_library")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
