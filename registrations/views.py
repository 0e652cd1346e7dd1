from django.http import Http404, HttpRequest, HttpResponse


def register(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def manage(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
