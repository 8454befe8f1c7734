# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.billing import views

app_name = "billing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("authorizations/<int:pk>/review-packet/", views.review_packet, name="review_packet"),
]
