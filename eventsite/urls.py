from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, views

urlpatterns = [
    # Answered by eventsite.middleware.HealthCheckMiddleware first; routed for stacks without it.
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("language/<str:code>/", views.switch_language, name="switch-language"),
    path("api/v1/", include("agenda.api.urls")),
    path("api/v1/", include("registrations.api.urls")),
    path("api/v1/", include("badges.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("badges.scanner_urls")),
    path("", include("badges.urls")),
    path("", include("registrations.urls")),
    path("", include("privacy.urls")),
    path("", include("reports.urls")),
    path("", include("agenda.urls")),
]

# Under /api/, an address no operation answers gets the API's error shape.
handler404 = "eventsite.api.page_not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
