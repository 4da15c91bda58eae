#!/bin/bash
# make-cases.sh -- (re)write the "badmailfrom-disconnect" conformance suite:
# config/ and the client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# "badmailfrom reject_type disconnect": a listed sender gets 550 and the
# connection is closed; nothing after it is read.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
printf '%s\n' 'bad@evil.test' '@spam.test Go away spammer' > "$cfg/badmailfrom"
cat > "$cfg/plugins" <<'PLUGINS'
badmailfrom reject_type disconnect
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
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_listed_sender_disconnected "${HELO}MAIL FROM:<bad@evil.test>$C${TO}NOOP$C$QUIT"
case_in 02_reason_then_disconnected "${HELO}MAIL FROM:<x@spam.test>$C$TO$(msg "Subject: never$C${C}n$C")$QUIT"
case_in 03_good_sender_then_listed "${HELO}MAIL FROM:<alice@sender.test>$C$TO$(msg "Subject: first$C${C}1$C")MAIL FROM:<bad@evil.test>$C$TO$QUIT"

finish_cases "$@"
