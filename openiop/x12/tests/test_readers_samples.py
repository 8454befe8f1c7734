# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hand-written 835, 999 and 277CA samples are valid X12 by pyx12's maps."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document

from openiop.x12.reader import read_transactions

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
VALIDATED = sorted(path for path in SAMPLES.glob("*.x12") if path.name.startswith(("835", "999", "277ca")))


def test_every_kind_of_sample_is_there():
    names = {path.name for path in SAMPLES.glob("*.x12")}
    assert len(VALIDATED) == 10
    assert {"271_active.x12", "271_inactive.x12", "271_rejected_member.x12"} <= names


@pytest.mark.parametrize("path", VALIDATED, ids=lambda path: path.name)
def test_the_sample_passes_pyx12(path):
    errors = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), None, None, None, fd_json=errors)
    assert valid, errors.getvalue()


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.x12")), ids=lambda path: path.name)
def test_the_sample_passes_our_envelope_checks(path):
    assert read_transactions(path.read_text())
