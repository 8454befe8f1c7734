# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin
from django.urls import include, path

from openiop.accounts.views import dashboard
from openiop.core import urls as core_urls

urlpatterns = [
    # core:dashboard and core:healthz; the dashboard's view is in accounts (core imports no app).
    path("", include(([path("", dashboard, name="dashboard"), *core_urls.urlpatterns], core_urls.app_name))),
    path("help/", include("openiop.public.urls")),
    path("", include("openiop.accounts.urls")),
    path("", include("openiop.sites.urls")),
    path("audit/", include("openiop.audit.urls")),
    path("patients/", include("openiop.patients.urls")),
    path("admissions/", include("openiop.admissions.urls")),
    path("assessments/", include("openiop.assessments.urls")),
    path("", include("openiop.treatment.urls")),
    path("", include("openiop.medications.urls")),
    path("scheduling/", include("openiop.scheduling.urls")),
    path("privacy/", include("openiop.privacy.urls")),
    path("insurance/", include("openiop.insurance.urls")),
    path("diagnoses/", include("openiop.diagnoses.urls")),
    path("billing/", include("openiop.billing.urls")),
    path("claims/", include("openiop.claims.urls")),
    path("ledger/", include("openiop.ledger.urls")),
    path("assistance/", include("openiop.assistance.urls")),
    path("estimates/", include("openiop.estimates.urls")),
    path("reports/", include("openiop.reports.urls")),
    # The public locator (/help/find/) and the administrators' import (/directory/import/).
    path("", include("openiop.directory.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

handler403 = "openiop.core.views.error_403"
handler404 = "openiop.core.views.error_404"
handler500 = "openiop.core.views.error_500"
