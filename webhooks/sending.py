"""One POST to a webhook's receiver, refusing addresses inside our own network.

The host is resolved here and every address it resolves to is checked (a name pointing at a
private, loopback, link-local or cloud-metadata address is refused), then the connection goes
to the checked address itself, so a second, different answer from DNS cannot slip past the
check. TLS still verifies the certificate against the host name. Redirects are never followed.
The standard library does this: httpx is only a development dependency here, and pinning the
connected address is simpler with ``http.client`` than through a client's transport.
"""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .validators import http_allowed, is_public_address, private_networks_allowed

# Seconds to connect, and between bytes of the answer; WEBHOOKS_TIMEOUT overrides it.
TIMEOUT = 5.0


class DeliveryRefused(Exception):
    """The target address may not be sent to (the message is for the delivery log)."""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, all of them checked; raises ``DeliveryRefused``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise DeliveryRefused(_("The host name could not be resolved.")) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not private_networks_allowed():
        for address in addresses:
            if not is_public_address(address):
                raise DeliveryRefused(
                    _("Refused: the host resolves to a private or reserved address.")
                )
    return addresses


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float | None = None) -> int:
    """POSTs ``body`` and returns the response's status code.

    Raises ``DeliveryRefused`` for an address that may not be used, ``TimeoutError`` and other
    ``OSError`` for network trouble.
    """
    timeout = timeout or getattr(settings, "WEBHOOKS_TIMEOUT", TIMEOUT)
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection_class: type = _PinnedHTTPSConnection
    elif parts.scheme == "http" and http_allowed():
        connection_class = _PinnedHTTPConnection
    else:
        raise DeliveryRefused(_("Refused: the address must use https."))
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    last_error: OSError | None = None
    for address in resolve(host, port):
        connection = connection_class(host, port, address=address, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(65536)  # what it says is not kept; read a little so it can finish
            return response.status
        except ConnectionRefusedError as error:
            last_error = error  # the next address may answer
        except http.client.HTTPException as error:
            raise ConnectionError(f"Bad HTTP response: {type(error).__name__}") from error
        finally:
            connection.close()
    raise last_error or ConnectionError("No address to connect to.")
