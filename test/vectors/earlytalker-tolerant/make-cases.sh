#!/bin/bash
# make-cases.sh -- (re)write the "earlytalker-tolerant" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# earlytalker with the legacy action log (reject 0) and both checks: an early
# talker is only logged, and what it sent before the greeting and before the
# 354 is still read and answered; the message is delivered.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
# written so that the installation's config/ (relay clients, a size limit) does not apply
echo 192.0.2.1       > "$cfg/relayclients"
echo 0               > "$cfg/databytes"
cat > "$cfg/plugins" <<'PLUGINS'
earlytalker wait 0.3 action log check-at CONNECT check-at DATA
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
EHLO="EHLO client.test$C"
FROM="MAIL FROM:<alice@sender.test>$C"
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_delivered_anyway "$HELO$FROM$TO$(msg "Subject: tolerated$C${C}t$C")$QUIT"
case_in 02_two_messages "$EHLO$FROM$TO$(msg "Subject: one$C${C}1$C")$FROM$TO$(msg "Subject: two$C${C}2$C")$QUIT"

finish_cases "$@"
