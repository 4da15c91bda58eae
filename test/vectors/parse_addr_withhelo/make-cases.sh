#!/bin/bash
# make-cases.sh -- (re)write the "parse_addr_withhelo" conformance suite:
# config/ and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# parse_addr_withhelo: HELO clients get RFC 821 parsing of MAIL and RCPT (no
# ESMTP parameters), EHLO clients the core's parser.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 10240           > "$cfg/databytes"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
parse_addr_withhelo
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
HELO="HELO client.test$C"
EHLO="EHLO client.test$C"
QUIT="QUIT$C"
FROM="MAIL FROM:<alice@sender.test>$C"
TO="RCPT TO:<bob@example.com>$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_helo_delivery "$HELO$FROM$TO$(msg "Subject: helo$C${C}x$C")$QUIT"
case_in 02_helo_mail_parameters "${HELO}MAIL FROM:<alice@sender.test> SIZE=10${C}MAIL FROM:<alice@sender.test>x${C}MAIL FROM:alice@sender.test BODY=8BITMIME${C}MAIL FROM:   <alice@sender.test>   $C$QUIT"
case_in 03_helo_mail_syntax "${HELO}MAIL FROM:foo${C}MAIL FROM <alice@sender.test>${C}MAIL TO:<alice@sender.test>${C}MAIL${C}MAIL FROM:alice@sender.test${C}mail from:<Alice@Sender.test>$C$QUIT"
case_in 04_helo_mail_null_sender "${HELO}MAIL FROM:$C$TO$(msg "Subject: null$C${C}n$C")$QUIT"
case_in 05_helo_rcpt_parameters "$HELO${FROM}RCPT TO:<bob@example.com> NOTIFY=NEVER${C}RCPT TO:bob@example.com ORCPT=rfc822;bob@example.com${C}RCPT to: <bob@example.com>  $C$QUIT"
case_in 06_helo_rcpt_syntax "$HELO${FROM}RCPT TO:bob@example.com${C}RCPT TO:postmaster${C}RCPT TO:Abuse${C}RCPT TO:foo${C}RCPT TO:${C}RCPT${C}RCPT TO <bob@example.com>${C}RCPT TO:<POSTMASTER>$C$QUIT"
case_in 07_ehlo_parameters_allowed "${EHLO}MAIL FROM:<alice@sender.test> SIZE=10 BODY=8BITMIME${C}RCPT TO:<bob@example.com>$C$(msg "Subject: ehlo$C${C}e$C")$QUIT"
case_in 08_before_greeting "RCPT TO:<bob@example.com> NOTIFY=NEVER${C}MAIL FROM:<alice@sender.test> SIZE=1$C$QUIT"
case_in 09_helo_two_addresses "${HELO}MAIL FROM:<alice@sender.test> <carol@sender.test>$C$QUIT"

finish_cases "$@"
