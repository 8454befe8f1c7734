# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

from openiop.core.testing import Page

PAGES: list[Page] = []

# The public site: for anyone, signed in or not.
PUBLIC_NAMES = {
    "public:home",
    "public:self_check",
    "public:cost",
    "public:call_back",
    "public:call_back_sent",
    "public:coverage_check",
    "public:coverage_check_sent",
}
