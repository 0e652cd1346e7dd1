from django.urls import path

from . import views

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
]
