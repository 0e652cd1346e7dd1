from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
]
