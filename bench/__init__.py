# SPDX-License-Identifier: AGPL-3.0-or-later
"""Benchmarks run by `make bench`; each prints one JSON object."""
