from django.urls import path

from . import feeds, views

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("registration/<str:token>/", views.manage, name="manage"),
    path("registration/<str:token>/cancel/", views.cancel, name="cancel"),
    path("registration/<str:token>/attendance/", views.change_mode, name="change-mode"),
    path("registration/<str:token>/sessions/", views.change_sessions, name="change-sessions"),
    path("registration/<str:token>/calendar/renew/", views.renew_calendar, name="renew-calendar"),
    path("registration/<str:token>/consent/", views.change_consent, name="change-consent"),
    path("registration/<str:token>/participants/", views.participants, name="participants"),
    path("registration/<str:token>/invite.ics", feeds.invitation, name="invitation"),
    path("calendar/<str:token>.ics", feeds.personal_calendar, name="personal-calendar"),
]
