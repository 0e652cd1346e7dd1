"""A mail server for the production-stack benchmarks: accepts every message and counts it.

``smtp_sink.py <counts file>`` listens on a free port of 127.0.0.1, prints the port on its first
line of output, and answers SMTP as a relay would (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT;
no TLS, no authentication), keeping nothing of a message but its size and how many times each
recipient got one. On SIGTERM or SIGINT it writes those counts to the file as JSON and exits.
The recipients are the benchmarks' sample addresses; the benchmark deletes the file once it has
compared it with the outbox.
"""

import asyncio
import json
import signal
import sys
from collections import Counter
from pathlib import Path

received: Counter[str] = Counter()
totals = {"messages": 0, "bytes": 0, "connections": 0}


def address(argument: bytes) -> str:
    """The address of a ``MAIL FROM:<…>`` or ``RCPT TO:<…>`` argument."""
    text = argument.decode(errors="replace")
    start, end = text.find("<"), text.find(">")
    return text[start + 1 : end] if 0 <= start < end else text.split(":", 1)[-1].strip()


async def converse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    totals["connections"] += 1
    recipients: list[str] = []
    writer.write(b"220 bench-sink ESMTP\r\n")
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
            elif verb in (b"HELO", b"NOOP"):
                writer.write(b"250 OK\r\n")
            elif verb in (b"MAIL", b"RSET"):
                recipients = []
                writer.write(b"250 OK\r\n")
            elif verb == b"RCPT":
                recipients.append(address(line[4:].strip()))
                writer.write(b"250 OK\r\n")
            elif verb == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await writer.drain()
                size = 0
                while (data := await reader.readline()) not in (b".\r\n", b".\n"):
                    if not data:
                        return
                    size += len(data)
                totals["messages"] += 1
                totals["bytes"] += size
                received.update(recipients)
                recipients = []
                writer.write(b"250 OK queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"502 Command not implemented\r\n")
            await writer.drain()
    except ConnectionError:
        return
    finally:
        writer.close()


async def serve(counts: Path) -> None:
    server = await asyncio.start_server(converse, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()
    counts.write_text(json.dumps({**totals, "recipients": dict(received)}))


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
