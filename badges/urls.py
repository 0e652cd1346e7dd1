from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path("registration/<str:token>/badge.pdf", views.badge_pdf, name="badge-pdf"),
    path("events/<slug:slug>/badges/", views.print_runs, name="print-runs"),
    path(
        "events/<slug:slug>/badges/runs/<int:pk>/status/",
        views.print_run_status,
        name="print-run-status",
    ),
    path(
        "events/<slug:slug>/badges/runs/<int:pk>/badges.pdf",
        views.print_run_file,
        name="print-run-file",
    ),
]
