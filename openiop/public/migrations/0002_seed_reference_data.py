# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reference data the estimator needs on a fresh install: the HHS poverty
guidelines for 2025 and 2026, the default sliding fee tiers and an
illustrative default rate card. Figures written out here (not imported) so
this migration means the same thing forever; administrators change them in
the admin."""

from decimal import Decimal

from django.db import migrations

GUIDELINES = [
    # year, region, first person, each additional person (HHS poverty guidelines)
    (2025, "48", "15650", "5500"),
    (2025, "AK", "19550", "6880"),
    (2025, "HI", "17990", "6330"),
    (2026, "48", "15960", "5680"),
    (2026, "AK", "19950", "7100"),
    (2026, "HI", "18360", "6530"),
]
TIERS = [("100", "100"), ("150", "75"), ("200", "50"), ("250", "25")]


def seed(apps, schema_editor):
    PovertyGuideline = apps.get_model("public", "PovertyGuideline")
    SlidingFeeTier = apps.get_model("public", "SlidingFeeTier")
    RateCard = apps.get_model("public", "RateCard")
    for year, region, first, additional in GUIDELINES:
        PovertyGuideline.objects.get_or_create(
            year=year, region=region,
            defaults={"first_person": Decimal(first), "each_additional": Decimal(additional)},
        )
    for ceiling, discount in TIERS:
        SlidingFeeTier.objects.get_or_create(max_percent=Decimal(ceiling), defaults={"discount_percent": Decimal(discount)})
    if not RateCard.objects.filter(is_default=True).exists():
        RateCard.objects.create(
            name="Default (illustrative national rates)",
            is_default=True,
            intake_assessment=Decimal("250.00"),
            group_hour=Decimal("95.00"),
            individual_session=Decimal("150.00"),
            family_session=Decimal("160.00"),
            drug_test=Decimal("45.00"),
            medication_visit=Decimal("180.00"),
            variation_percent=Decimal("15.00"),
            financing_apr_percent=Decimal("9.99"),
            scholarship_max=Decimal("1000.00"),
        )


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
