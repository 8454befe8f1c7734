# SPDX-License-Identifier: AGPL-3.0-or-later
"""A clinician builds a treatment plan on its one page: a common problem from
the plan library, one objective individualized in place, signed; the page is
axe-clean with an item open for editing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.sites.models import Site
from openiop.treatment.models import LibraryEntry, Objective, PlanVersion
from openiop.treatment.services import plans
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.fixture
def draft(transactional_db: None, north: Site, persona: Callable[..., User]) -> PlanVersion:
    # A transactional test starts from empty tables: the library's seed is rebuilt here.
    problem = LibraryEntry.objects.create(kind="problem", text="Alcohol use despite harm.", icd10_code="F10.20")
    goal = LibraryEntry.objects.create(kind="goal", parent=problem, text="Stop drinking.")
    LibraryEntry.objects.create(
        kind="objective",
        parent=goal,
        text="Attend the IOP schedule.",
        measurable_target="9 hours a week",
        target_days=28,
    )
    LibraryEntry.objects.create(
        kind="intervention", parent=problem, text="IOP groups", service_type="group",
        sessions_per_week=Decimal("3"), minutes=180,
    )  # fmt: skip
    clinician = persona(RoleCode.CLINICIAN, username="carla")
    return plans.plan_start(actor=clinician, episode=factories.episode(north, clinician))


def test_a_plan_is_built_on_one_page_from_the_library_and_signed(
    axe_page: Any, live_server: Any, draft: PlanVersion
) -> None:
    page = axe_page
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
    url = f"{live_server.url}/plans/versions/{draft.pk}/"
    page.goto(url)

    page.get_by_label("Common problem from the plan library").select_option(label="Alcohol use despite harm. (F10.20)")
    page.get_by_role("button", name="Add to the plan").click()
    page.get_by_role("heading", name="Goal: Stop drinking.").wait_for()
    assert page.url == url  # still the same page: the body was swapped in place

    page.get_by_role("link", name="Edit", exact=True).first.click()
    target = page.get_by_label("Measurable target")
    target.wait_for()
    assert axe_violations(page) == []
    target.fill("10 hours a week for 4 weeks")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="10 hours a week for 4 weeks").wait_for()
    assert page.url == url
    assert Objective.objects.get(version=draft).measurable_target == "10 hours a week for 4 weeks"

    page.get_by_role("button", name="Sign plan").click()
    page.get_by_label("Patient reviewed the plan and agreed verbally").check()
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_text("Plan version 1 signed and locked.").wait_for()
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.SIGNED
