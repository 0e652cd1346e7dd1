from django.urls import path

from . import views

urlpatterns = [
    path("events/<slug:slug>/report/", views.EventReportView.as_view(), name="api-event-report"),
    path(
        "events/<slug:slug>/report/<str:kind>/",
        views.EventReportFileView.as_view(),
        name="api-event-report-file",
    ),
]
