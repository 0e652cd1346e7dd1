from django.urls import path

from . import badge_views, print_run_views, views

urlpatterns = [
    path("checkin/", views.CheckInView.as_view(), name="api-checkin"),
    path("checkin/batch/", views.CheckInBatchView.as_view(), name="api-checkin-batch"),
    path("checkin/<int:pk>/undo/", views.CheckInUndoView.as_view(), name="api-checkin-undo"),
    path(
        "events/<slug:slug>/checkin-list/",
        views.CheckInListView.as_view(),
        name="api-checkin-list",
    ),
    path(
        "events/<slug:slug>/checkin-search/",
        views.CheckInSearchView.as_view(),
        name="api-checkin-search",
    ),
    path(
        "events/<slug:slug>/checkin-stats/",
        views.CheckInStatsView.as_view(),
        name="api-checkin-stats",
    ),
    path(
        "registrations/<str:token>/badge.pdf",
        badge_views.OwnBadgeView.as_view(),
        name="own-registration-badge",
    ),
    path(
        "organiser/registrations/<int:pk>/badge/",
        badge_views.OrganiserBadgeView.as_view(),
        name="organiser-registration-badge",
    ),
    path(
        "organiser/registrations/<int:pk>/badge.pdf",
        badge_views.OrganiserBadgePDFView.as_view(),
        name="organiser-registration-badge-pdf",
    ),
    path(
        "organiser/registrations/<int:pk>/badge/reissue/",
        badge_views.OrganiserBadgeReissueView.as_view(),
        name="organiser-registration-badge-reissue",
    ),
    path(
        "events/<slug:slug>/print-runs/",
        print_run_views.EventPrintRunsView.as_view(),
        name="api-event-print-runs",
    ),
    path(
        "events/<slug:slug>/print-runs/<int:pk>/",
        print_run_views.EventPrintRunView.as_view(),
        name="api-event-print-run",
    ),
    path(
        "events/<slug:slug>/print-runs/<int:pk>/file/",
        print_run_views.EventPrintRunFileView.as_view(),
        name="api-event-print-run-file",
    ),
]
