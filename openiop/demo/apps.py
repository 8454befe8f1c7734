# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo program (``manage.py seed``): the top floor, since it drives every app's own ``demo.py``.

    It lives apart from ``core`` so that the ground floor imports no app above it
    (``openiop/core/tests/test_layers.py``)."""

    name = "openiop.demo"
    label = "demo"
    verbose_name = "Demo program"
