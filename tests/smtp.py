"""A small SMTP server on a local port, to test what the site does with a mail server's replies.

It speaks enough of RFC 5321 for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, QUIT. Each
connection answers MAIL FROM with the next code from ``replies`` (then 250 once they run out).
"""

import socketserver
import threading
from collections import deque


class FakeSMTPServer:
    def __init__(self, replies: list[int] | None = None) -> None:
        self.replies = deque(replies or [])
        self.messages: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.send("220 test ESMTP")
                while line := self.rfile.readline():
                    command = line.decode(errors="replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.send("250 test")
                    elif command.startswith("MAIL"):
                        with server.lock:
                            code = server.replies.popleft() if server.replies else 250
                        self.send(f"{code} {'OK' if code == 250 else 'try later or refused'}")
                    elif command.startswith("RCPT"):
                        self.send("250 OK")
                    elif command == "DATA":
                        self.send("354 go ahead")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data.decode(errors="replace"))
                        with server.lock:
                            server.messages.append("".join(lines))
                        self.send("250 queued")
                    elif command == "RSET":
                        self.send("250 OK")
                    elif command == "QUIT":
                        self.send("221 bye")
                        return
                    else:
                        self.send("502 not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeSMTPServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
