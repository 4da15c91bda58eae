#!/bin/bash
# make-cases.sh -- (re)write the "bogus_bounce" conformance suite: config/
# and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# bogus_bounce with "reject 1 reject_type temp" (452 after the final dot).
# It records what qpsmtpd 0.94 really checks: any Return-Path value on a
# bounce, "<>" included, is refused, and a bounce to two recipients passes
# (its recipient count never reaches the check). We do what its docs say
# instead: exceptions.txt and docs/differences.md.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
bogus_bounce reject 1 reject_type temp
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
HELO="HELO client.test$C"
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
# bounce NAME HEADER-LINES [EXTRA-RCPT]: a message from <> with those header lines.
bounce() { case_in "$1" "${HELO}MAIL FROM:<>$C$TO${3:-}DATA${C}From: MAILER-DAEMON@sender.test$C$2${C}bounce$C.$C$QUIT"; }

bounce 01_bounce_without_return_path ""
bounce 02_bounce_with_return_path "Return-Path: <x@sender.test>$C"
bounce 03_bounce_with_null_return_path "Return-Path: <>$C"
bounce 04_bounce_with_empty_return_path "Return-Path:$C"
bounce 05_bounce_to_two_recipients "" "RCPT TO:<carol@example.com>$C"
case_in 06_not_a_bounce "${HELO}MAIL FROM:<alice@sender.test>$C${TO}DATA${C}Return-Path: <x@sender.test>$C${C}x$C.$C$QUIT"

finish_cases "$@"
