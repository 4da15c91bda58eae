#!/usr/bin/env python3
"""One message over STARTTLS with Python's smtplib (test/plugins/tls.test.ts).

    smtplib_starttls.py HOST PORT CAFILE SENDER RECIPIENT FILE

The server's certificate is verified against CAFILE, for the address
connected to (the test certificate names 127.0.0.1). Every reply is printed as "COMMAND CODE TEXT" (the lines of a
multi-line reply joined with "|"), and after the handshake "TLS <version>
<cipher>". Exit status 0 when every command got the reply it should.
"""
import smtplib
import ssl
import sys


def main():
    host, port, cafile, sender, recipient, path = sys.argv[1:]
    ok = True

    def show(command, reply, good):
        nonlocal ok
        code, text = reply
        print(f"{command} {code} {text.decode('utf-8', 'replace').replace(chr(10), '|')}")
        ok = ok and code in good

    context = ssl.create_default_context(cafile=cafile)
    with smtplib.SMTP(host, int(port), local_hostname="py.test", timeout=20) as smtp:
        show("EHLO", smtp.ehlo(), (250,))
        show("STARTTLS", smtp.starttls(context=context), (220,))
        print(f"TLS {smtp.sock.version()} {smtp.sock.cipher()[0]}")
        show("EHLO", smtp.ehlo(), (250,))
        with open(path, "rb") as f:
            message = f.read()
        show("MAIL", smtp.mail(sender), (250,))
        show("RCPT", smtp.rcpt(recipient), (250,))
        show("DATA", smtp.data(message), (250,))
        show("QUIT", smtp.quit(), (221,))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
