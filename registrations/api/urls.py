from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

# A simple router: the API root at /api/v1/ belongs to the agenda's router.
router = SimpleRouter()
router.register(
    "organiser/registrations", views.OrganiserRegistrationViewSet, basename="organiser-registration"
)

urlpatterns = [
    path(
        "events/<slug:event_slug>/registrations/",
        views.EventRegistrationCreateView.as_view(),
        name="event-registration-create",
    ),
    path(
        "registrations/<str:token>/",
        views.OwnRegistrationView.as_view(),
        name="own-registration",
    ),
    path("", include(router.urls)),
]
