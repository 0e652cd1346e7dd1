from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("r/<str:token>/join/", views.join, name="join"),
    path("r/<str:token>/certificate.pdf", views.certificate, name="certificate"),
    path("feedback/<str:token>/", views.survey, name="survey"),
    path("events/<slug:slug>/attendance/", views.attendance, name="attendance"),
]
