# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("self-check/", views.self_check, name="self_check"),
    path("cost/", views.cost, name="cost"),
    path("call-back/", views.call_back, name="call_back"),
    path("call-back/sent/", views.call_back_sent, name="call_back_sent"),
    path("coverage-check/", views.coverage_check, name="coverage_check"),
    path("coverage-check/sent/", views.coverage_check_sent, name="coverage_check_sent"),
]
