from django.conf import settings


def site(request):
    return {"SITE_NAME": "EU LMPN Events", "SITE_URL": settings.SITE_URL}
