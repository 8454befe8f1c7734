# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keep our own sites' directory entries in step with the sites."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from openiop.sites.models import OpeningHours, Site


def on_site_saved(sender: type[Site], instance: Site, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from openiop.directory.services import facility_sync_site

    facility_sync_site(site=instance)


def on_hours_changed(sender: type[OpeningHours], instance: OpeningHours, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from openiop.directory.services import facility_sync_hours

    facility_sync_hours(site_id=instance.site_id)


def connect() -> None:
    post_save.connect(on_site_saved, sender=Site, dispatch_uid="directory_site_saved")
    post_save.connect(on_hours_changed, sender=OpeningHours, dispatch_uid="directory_hours_saved")
    post_delete.connect(on_hours_changed, sender=OpeningHours, dispatch_uid="directory_hours_deleted")
