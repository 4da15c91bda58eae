#!/bin/bash
# make-cases.sh -- (re)write the "old-names" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# The plugins under the names of Debian's config/plugins (check_relay,
# check_badmailfrom, check_badrcptto), with arguments: badmailfrom refuses
# temporarily (reject_type temp).
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
printf '%s\n' 'bad@evil.test' '@spam.test Go away spammer' > "$cfg/badmailfrom"
printf '%s\n' 'nobody@example.com' > "$cfg/badrcptto"
cat > "$cfg/plugins" <<'PLUGINS'
check_relay
check_badmailfrom reject_type temp
check_badrcptto
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
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
session() { # NAME SENDER: SENDER to a refused, a good and a foreign recipient, then a message
    case_in "$1" "${HELO}MAIL FROM:$2${C}RCPT TO:<nobody@example.com>${C}RCPT TO:<bob@example.com>${C}RCPT TO:<carol@elsewhere.test>$C$(msg "Subject: $1$C${C}x$C")$QUIT"
}

session 01_sender_refused_temporarily   '<bad@evil.test>'
session 02_sender_reason_temporarily    '<x@spam.test>'
session 03_good_sender                  '<alice@sender.test>'
session 04_relay_client                 '<bad@evil.test>'
case_env 04_relay_client TCPREMOTEIP=192.0.2.1
session 05_relayclient_env              '<x@spam.test>'
case_env 05_relayclient_env TCPREMOTEIP=203.0.113.1 RELAYCLIENT=1
case_in 06_refused_then_accepted \
    "${HELO}MAIL FROM:<bad@evil.test>${C}MAIL FROM:<alice@sender.test>${C}RCPT TO:<bob@example.com>$C$(msg "Subject: retry$C${C}r$C")$QUIT"

finish_cases "$@"
