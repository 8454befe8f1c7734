# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signals from the apps below that billing follows (see ``connect``)."""

from __future__ import annotations


def register_scopes() -> None:
    """Who reaches which billing rows: charges through their patient, fee
    schedules are the organization's reference data (like payers)."""
    from openiop.accounts.access import everything, register_scope
    from openiop.billing import models
    from openiop.patients.scopes import patient_at_users_sites

    register_scope(models.Charge, patient_at_users_sites("patient__"))
    register_scope(models.FeeSchedule, everything)


def connect() -> None:
    """Connect billing to the signals it follows."""
    # Scopes are registered here rather than in ui.py (the workspace's
    # module): apps.py calls connect() once, before ui.register().
    register_scopes()
