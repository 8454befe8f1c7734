# SPDX-License-Identifier: AGPL-3.0-or-later
"""Deployment checks for the public locator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("openiop")
def check_map_tile_attribution(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Most tile licenses (OpenStreetMap's among them) require the source to
    be named on the map; a tile server without an attribution is a mistake
    worth hearing about before the site goes live."""
    if getattr(settings, "OPENIOP_MAP_TILE_URL", "") and not getattr(settings, "OPENIOP_MAP_TILE_ATTRIBUTION", ""):
        return [
            Warning(
                "OPENIOP_MAP_TILE_URL is set but OPENIOP_MAP_TILE_ATTRIBUTION is empty.",
                hint="Set OPENIOP_MAP_TILE_ATTRIBUTION to the credit your tile license asks for, "
                "e.g. '© OpenStreetMap contributors'.",
                id="openiop.directory.W001",
            )
        ]
    return []
