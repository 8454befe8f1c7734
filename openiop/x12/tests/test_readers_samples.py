# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hand-written 835, 999 and 277CA samples are valid X12 by pyx12's maps."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document
from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.x12.acknowledgement import read_999
from openiop.x12.claim_status import read_277ca
from openiop.x12.eligibility_response import read_271
from openiop.x12.errors import X12Error
from openiop.x12.reader import read_transactions
from openiop.x12.remittance import read_835

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


READERS: dict[str, Callable[[str], object]] = {
    "271": read_271,
    "835": read_835,
    "999": read_999,
    "277ca": read_277ca,
}


def reader_for(path: Path) -> Callable[[str], object]:
    return READERS[path.name.split("_")[0]]


READABLE = [path for path in sorted(SAMPLES.glob("*.x12")) if path.name != "835_unbalanced.x12"]


@pytest.mark.parametrize("path", READABLE, ids=lambda path: path.name)
def test_every_sample_cut_short_anywhere_is_refused_as_x12(path):
    text = path.read_text()
    read = reader_for(path)
    read(text)
    # Keep at least the ISA header; cut inside every later segment.
    for length in range(110, len(text) - 5, 7):
        with pytest.raises(X12Error):
            read(text[:length])


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_damaged_samples_raise_only_x12_errors(data):
    path = data.draw(st.sampled_from(READABLE))
    text = path.read_text()
    position = data.draw(st.integers(min_value=106, max_value=len(text) - 1))
    replacement = data.draw(st.sampled_from(["*", ":", "^", "~", "", "X", "9", "-", "\n", "**"]))
    damaged = text[:position] + replacement + text[position + 1 :]
    try:
        reader_for(path)(damaged)
    except X12Error as error:
        assert str(error)
