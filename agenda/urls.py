from django.urls import path

from . import exports_views, feeds, views

app_name = "agenda"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
    path("calendar.ics", feeds.events_calendar, name="calendar"),
    path("events/<slug:slug>/calendar.ics", feeds.event_calendar, name="event-calendar"),
    path(
        "events/<slug:slug>/sessions/<int:pk>/calendar.ics",
        feeds.session_calendar,
        name="session-calendar",
    ),
    path("events/<slug:slug>/schedule.xml", exports_views.schedule_xml, name="schedule-xml"),
    path("events/<slug:slug>/schedule.json", exports_views.schedule_json, name="schedule-json"),
    path("events/<slug:slug>/schedule.xcal", exports_views.schedule_xcal, name="schedule-xcal"),
]
