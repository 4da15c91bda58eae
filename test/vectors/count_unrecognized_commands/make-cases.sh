#!/bin/bash
# make-cases.sh -- (re)write the "count_unrecognized_commands" conformance
# suite: config/ and the client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# count_unrecognized_commands with its default (4): the 4th unrecognized
# command of a connection gets 521 and the connection is closed; the ones
# before it get the core's 500.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
count_unrecognized_commands
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
HELO="HELO client.test$C"
FROM="MAIL FROM:<alice@sender.test>$C"
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_fourth_closes "${HELO}FOO${C}BAR baz${C}QUX${C}ZAP${C}NOOP$C$QUIT"
case_in 02_before_helo "FOO${C}BAR${C}BAZ${C}QUX$C$HELO$QUIT"
case_in 03_three_are_tolerated "${HELO}FOO${C}BAR${C}BAZ$C$FROM$TO$(msg "Subject: after three$C${C}x$C")$QUIT"
case_in 04_known_commands_do_not_reset "${HELO}FOO${C}NOOP${C}BAR${C}RSET$C${FROM}BAZ$C${TO}QUX${C}DATA$C$QUIT"
case_in 05_count_spans_transactions "$HELO$FROM$TO$(msg "Subject: one$C${C}1$C")FOO${C}BAR$C$FROM$TO$(msg "Subject: two$C${C}2$C")BAZ${C}QUX${C}NOOP$C$QUIT"
case_in 06_message_lines_are_not_commands "$HELO$FROM$TO$(msg "FOO: bar$C${C}FOO${C}BAR${C}BAZ${C}QUX$C")$QUIT"
case_in 07_unoffered_extensions "${HELO}STARTTLS${C}AUTH PLAIN AGFAAGI=${C}EXPN staff${C}TURN${C}NOOP$C$QUIT"
case_in 08_leading_space_is_unrecognized "$HELO NOOP$C NOOP$C NOOP$C NOOP${C}NOOP$C$QUIT"

finish_cases "$@"
