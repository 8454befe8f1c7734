# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one time span: a start and an end at a site, read in the site's time zone.

Group sessions and individual appointments are both spans of clinic time: the
same two columns, the same local wall-clock reading (a site's 9:00 is 9:00 in
its own zone, whoever looks) and the same length in minutes, which the hours
rules count. Each concrete model keeps its own ``end > start`` check, named
for its table.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from django.db import models

from openiop.scheduling import hours

if TYPE_CHECKING:
    from openiop.sites.models import Site


class SiteTimeSpan(models.Model):
    """Abstract: ``start`` and ``end`` (aware, stored in UTC) of something held at ``site``."""

    start = models.DateTimeField()
    end = models.DateTimeField()

    if TYPE_CHECKING:
        site: Site

    class Meta:
        abstract = True

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.site.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.zone)

    @property
    def minutes(self) -> int:
        # Elapsed time, as the hours rules count it (right across a DST change).
        return hours.elapsed_minutes(self.start, self.end)
