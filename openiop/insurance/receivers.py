# SPDX-License-Identifier: AGPL-3.0-or-later
"""Insurance follows admissions without admissions importing it."""

from __future__ import annotations

from typing import Any

from openiop.insurance import services


def carry_over_insurance(sender: Any, *, inquiry: Any, actor: Any = None, **kwargs: Any) -> None:
    """The insurer and member ID taken at the inquiry become the chart's
    primary coverage (inside the admitting transaction)."""
    services.coverage_carry_over(inquiry=inquiry, actor=actor)
