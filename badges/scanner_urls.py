from django.urls import path

from . import scanner

app_name = "scanner"

urlpatterns = [
    path("events/<slug:slug>/checkin/", scanner.scanner, name="checkin"),
]
