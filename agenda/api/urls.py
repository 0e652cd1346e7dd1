from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("events", views.EventViewSet, basename="event")
router.register("speakers", views.SpeakerViewSet, basename="speaker")

sessions = views.EventSessionViewSet.as_view({"get": "list"})
session = views.EventSessionViewSet.as_view({"get": "retrieve"})
documents = views.EventDocumentViewSet.as_view({"get": "list"})
document = views.EventDocumentViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("", include(router.urls)),
    path("events/<slug:event_slug>/sessions/", sessions, name="event-session-list"),
    path("events/<slug:event_slug>/sessions/<int:pk>/", session, name="event-session-detail"),
    path("events/<slug:event_slug>/documents/", documents, name="event-document-list"),
    path("events/<slug:event_slug>/documents/<int:pk>/", document, name="event-document-detail"),
]
