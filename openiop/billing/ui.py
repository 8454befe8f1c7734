# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's scopes, navigation and dashboard sections (see ``register``)."""

from __future__ import annotations


def register() -> None:
    """Register billing's scopes, navigation entries and dashboard sections."""
    _register_diagnoses_source()


def _register_diagnoses_source() -> None:
    """Any packet that may carry diagnoses (a concurrent review does) lists
    them from the problem list, unless the diagnoses app registered its own
    source first; until the problem list exists, the packet says diagnoses
    are not kept here, as before."""
    from importlib.util import find_spec

    from openiop.billing import packets
    from openiop.privacy import packet_sources
    from openiop.privacy.information import InformationClass

    if InformationClass.DIAGNOSES in packet_sources.SOURCES or find_spec("openiop.diagnoses.selectors") is None:
        return
    packet_sources.register_source(InformationClass.DIAGNOSES, packets.diagnoses_source)
