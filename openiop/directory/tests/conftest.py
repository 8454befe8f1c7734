# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openiop.directory.models import Facility
from openiop.directory.vocab import Age, Language


@pytest.fixture
def make_facility(db: None) -> Callable[..., Facility]:
    """An outside facility at a position, with attributes as given."""
    counter = {"n": 0}

    def make(name: str, latitude: float, longitude: float, **fields: Any) -> Facility:
        counter["n"] += 1
        values: dict[str, Any] = {
            "external_key": f"test:{counter['n']}",
            "source": Facility.Source.CSV,
            "name": name,
            "city": "Somewhere",
            "state": "MA",
            "zip_code": "02108",
            "ages": int(Age.ADULTS),
            "languages": int(Language.EN),
        }
        values.update(fields)
        return Facility.objects.create(latitude=latitude, longitude=longitude, **values)

    return make
