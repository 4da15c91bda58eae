#!/usr/bin/env python3
"""AUTH with Python's smtplib login() (test/plugins/auth-*.test.ts).

    smtplib_login.py HOST PORT USER PASSWORD

smtplib picks the mechanism from the EHLO list (CRAM-MD5, then PLAIN, then
LOGIN). Prints "EHLO <the AUTH line>" and then "AUTH <code> <text>" (the
text of the last reply: 235 on success, else the refusal smtplib raised),
and exits 0 on 235, 1 otherwise.
"""
import smtplib
import sys


def main():
    host, port, user, password = sys.argv[1:]
    with smtplib.SMTP(host, int(port), local_hostname="client.test", timeout=20) as smtp:
        smtp.ehlo()
        print(f"EHLO AUTH {smtp.esmtp_features.get('auth', '').strip()}")
        try:
            code, text = smtp.login(user, password)
        except smtplib.SMTPAuthenticationError as e:
            code, text = e.smtp_code, e.smtp_error
        print(f"AUTH {code} {text.decode('utf-8', 'replace')}")
        smtp.quit()
    return 0 if code == 235 else 1


if __name__ == "__main__":
    sys.exit(main())
