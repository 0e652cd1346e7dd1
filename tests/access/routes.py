"""Every URL pattern of the site, from Django's resolver, and the methods each one routes."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from .matrix import METHODS


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern, as the resolver spells its parts
    name: str  # namespaced URL name, "" for an unnamed pattern
    namespaces: tuple[str, ...]
    callback: object

    @property
    def key(self) -> str:
        """What the matrix classifies it by: its URL name, else its route."""
        return self.name or self.route


def routes() -> list[Route]:
    found: list[Route] = []
    _walk(get_resolver(), "", (), found)
    return found


def _walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...], found: list) -> None:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            _walk(entry, prefix + str(entry.pattern), inner, found)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            found.append(Route(prefix + str(entry.pattern), name, namespaces, entry.callback))


def routed_methods(callback) -> tuple[str, ...]:
    """The methods (of GET, POST, PUT, PATCH, DELETE) a view answers other than with 405.

    A viewset routes its actions' methods; an API view, the handlers it defines; a function
    view, those its ``require_http_methods`` decorator allows, or all of them without one.
    """
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(m for m in METHODS if m.lower() in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return tuple(m for m in METHODS if hasattr(view_class, m.lower()))
    function = callback
    while function is not None:
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(item, str) for item in value)
                and set(value) <= {*METHODS, "HEAD", "OPTIONS"}
            ):
                return tuple(m for m in METHODS if m in value)
        function = getattr(function, "__wrapped__", None)
    return METHODS
