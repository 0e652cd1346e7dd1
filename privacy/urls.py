from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.index, name="index"),
    path("privacy/request/<str:token>/", views.request_page, name="request"),
    path(
        "privacy/request/<str:token>/my-data.json",
        views.download,
        {"fmt": "json"},
        name="download-json",
    ),
    path(
        "privacy/request/<str:token>/my-data.html",
        views.download,
        {"fmt": "html"},
        name="download-html",
    ),
]
