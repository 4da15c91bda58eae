#!/usr/bin/env python3
"""Logs in with Python's smtplib and, when that worked, sends one message
(test/plugins/auth-flat-file.test.ts).

    smtplib_login.py HOST PORT USER PASSWORD SENDER RECIPIENT MESSAGE_FILE

smtplib.login() picks the mechanisms itself, best first (CRAM-MD5, PLAIN,
LOGIN among those the server offers), and tries the next one after a 535.
Prints one JSON object: every AUTH attempt (mechanism, reply code, reply
text), the outcome of login(), and the reply to the message.
"""
import json
import smtplib
import sys


class Recording(smtplib.SMTP):
    def __init__(self, *args, **kwargs):
        self.attempts = []
        super().__init__(*args, **kwargs)

    def auth(self, mechanism, authobject, *, initial_response_ok=True):
        try:
            code, resp = super().auth(mechanism, authobject, initial_response_ok=initial_response_ok)
        except smtplib.SMTPAuthenticationError as e:
            self.attempts.append([mechanism, e.smtp_code, e.smtp_error.decode()])
            raise
        self.attempts.append([mechanism, code, resp.decode()])
        return code, resp


def main():
    host, port, user, password, sender, recipient, message_file = sys.argv[1:8]
    with open(message_file, 'rb') as f:
        message = f.read()
    out = {}
    with Recording(host, int(port), local_hostname='client.test', timeout=20) as smtp:
        smtp.ehlo()
        try:
            code, resp = smtp.login(user, password)
            out['login'] = [code, resp.decode()]
        except smtplib.SMTPAuthenticationError as e:
            out['login'] = [e.smtp_code, e.smtp_error.decode()]
        out['attempts'] = smtp.attempts
        if out['login'][0] == 235:
            try:
                refused = smtp.sendmail(sender, [recipient], message)
                out['send'] = ['ok', refused]
            except smtplib.SMTPException as e:
                out['send'] = ['error', str(e)]
    print(json.dumps(out))


main()
