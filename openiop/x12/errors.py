# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one error the X12 package raises for text it cannot read or write."""

from __future__ import annotations


class X12Error(ValueError):
    """An X12 file is malformed, truncated or inconsistent.

    The message is a plain-English sentence a billing specialist can act on.
    ``segment_position`` (1-based, counted from the ISA segment) points at the
    segment where the problem was found, when there is one; it is appended to
    the message so logs and screens show it without extra work.
    """

    def __init__(self, message: str, *, segment_position: int | None = None) -> None:
        self.plain_message = message
        self.segment_position = segment_position
        if segment_position is not None:
            message = f"{message} (segment {segment_position})"
        super().__init__(message)
