#!/bin/bash
# make-cases.sh -- (re)write the "badrcptto" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# badrcptto: each line form of config/badrcptto (all ignoring case), the
# reply with and without a reason, and the recipients it never checks.
# A line's reason is the reply here (decision 16); 0.94 ignored it, so the
# cases with a reason are listed in exceptions.txt.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
printf '%s\n' example.com .example.com > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
cat > "$cfg/badrcptto" <<'LIST'
# an address; @host; patterns (a line with any of / ^ $ * + ! % ? \)
Bad@Example.com
@spam.example.com No spam here please
!
%
^sales.*@example\.com$ sales is closed
^JOBS@
noat
^(broken not a valid pattern
LIST
cat > "$cfg/plugins" <<'PLUGINS'
relay
badrcptto
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }
case_env() { printf '%s\n' "${@:2}" > "$cases/$1.env"; }

C='\r\n'
HELO="HELO client.test$C"
FROM="MAIL FROM:<alice@sender.test>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
# to NAME RECIPIENT: RECIPIENT and a good one, then a message.
to() { case_in "$1" "$HELO${FROM}RCPT TO:$2${C}RCPT TO:<good@example.com>$C$(msg "Subject: $1$C${C}x$C")$QUIT"; }

to 01_address_without_reason       '<bad@example.com>'
to 02_address_any_case             '<BAD@EXAMPLE.COM>'
to 03_host_with_reason             '<u@spam.example.com>'
to 04_host_any_case_with_reason    '<u@SPAM.Example.Com>'
to 05_host_is_not_subdomains       '<u@sub.spam.example.com>'
to 06_bang_pattern                 '<a!b@example.com>'
to 07_percent_pattern              '<a%b@example.com>'
to 08_pattern_with_reason          '<sales1@example.com>'
to 09_pattern_ignores_case         '<jobs@example.com>'
to 10_line_without_at_ignored      '<noat@example.com>'
to 11_postmaster_without_host      '<postmaster>'
to 12_relay_client_immune          '<bad@example.com>'
case_env 12_relay_client_immune TCPREMOTEIP=192.0.2.1
case_in 13_several_recipients \
    "$HELO${FROM}RCPT TO:<a@example.com>${C}RCPT TO:<bad@example.com>${C}RCPT TO:<b%c@example.com>${C}RCPT TO:<d@example.com>$C$(msg "Subject: several$C${C}s$C")$QUIT"

finish_cases "$@"
