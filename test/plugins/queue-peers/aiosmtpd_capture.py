#!/usr/bin/python3
"""An SMTP server for the queue plugins' tests, built on aiosmtpd (Debian's python3-aiosmtpd).

    aiosmtpd_capture.py <dir> [--mail REPLY] [--rcpt ADDRESS=REPLY]... [--data REPLY] [--data-delay S]

Listens on a free loopback port and prints "PORT <n>" when ready. Every
message it accepts is written to <dir>: <n>.json with the envelope (the
EHLO name, MAIL FROM, the RCPT TO addresses in order, and every command
line it saw) and <n>.eml with the message exactly as it arrived, CRLF line
ends kept and only the dot-stuffing undone (aiosmtpd's original_content).

--mail answers every MAIL FROM with REPLY; --rcpt answers RCPT TO:<ADDRESS>
with REPLY; --data answers the final dot with REPLY (and keeps no file);
--data-delay waits S seconds before answering the final dot. A normal
final answer is "250 2.0.0 Ok: queued as CAPTURE<n>".
"""

import argparse
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


def commands(session):
    """The commands seen on this connection since its last message."""
    if not hasattr(session, "commands"):
        session.commands = []
    return session.commands


class LongLines(SMTP):
    # The big-message test sends lines a little over RFC 5321's 1000 bytes, as real mail sometimes has.
    line_length_limit = 100_000


class Capture:
    def __init__(self, args):
        self.dir = args.dir
        self.mail_reply = args.mail
        self.rcpt_replies = dict(item.split("=", 1) for item in args.rcpt)
        self.data_reply = args.data
        self.data_delay = args.data_delay
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        commands(session).append(f"EHLO {hostname}")
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        commands(session).append(f"HELO {hostname}")
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        commands(session).append(f"MAIL FROM:<{address}>")
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        commands(session).append(f"RCPT TO:<{address}>")
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        commands(session).append("DATA")
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self.data_reply:
            return self.data_reply
        self.count += 1
        base = os.path.join(self.dir, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"helo": session.host_name, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "commands": commands(session)}, f)
        session.commands = []
        return f"250 2.0.0 Ok: queued as CAPTURE{self.count}"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--mail")
    parser.add_argument("--rcpt", action="append", default=[])
    parser.add_argument("--data")
    parser.add_argument("--data-delay", type=float, default=0)
    args = parser.parse_args()
    handler = Capture(args)
    loop = asyncio.get_running_loop()
    # No size limit: the big-message test sends 20 MB.
    server = await loop.create_server(
        lambda: LongLines(handler, hostname="capture.test", data_size_limit=None, ident="aiosmtpd capture"),
        "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
