from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def ping(request: HttpRequest) -> JsonResponse:
    """The framework's ceiling: routing and a tiny JSON answer, nothing else."""
    return JsonResponse({"ok": True})


def scan(request: HttpRequest) -> JsonResponse:
    """The ceiling of one database write per request: a single UPDATE … RETURNING in autocommit."""
    ticket = int(request.POST["id"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bench_ticket SET scans = scans + 1, scanned_at = now()"
            " WHERE id = %s RETURNING id, scans",
            [ticket],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"error": "unknown ticket"}, status=404)
    return JsonResponse({"id": row[0], "scans": row[1]})


urlpatterns = [
    path("ping", ping),
    path("scan/", scan),
]
