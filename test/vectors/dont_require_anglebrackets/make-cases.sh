#!/bin/bash
# make-cases.sh -- (re)write the "dont_require_anglebrackets" conformance
# suite: config/ and the client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# dont_require_anglebrackets: MAIL FROM and RCPT TO addresses without <...>
# are accepted (the plugin adds the brackets before the address is parsed).
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
dont_require_anglebrackets
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
HELO="HELO client.test$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_no_brackets "${HELO}MAIL FROM:alice@sender.test${C}RCPT TO:bob@example.com$C$(msg "Subject: bare$C${C}b$C")$QUIT"
case_in 02_space_after_colon "${HELO}MAIL FROM: alice@sender.test${C}RCPT TO: bob@example.com$C$(msg "Subject: spaced$C${C}s$C")$QUIT"
case_in 03_brackets_still_work "${HELO}MAIL FROM:<alice@sender.test>${C}RCPT TO:<bob@example.com>${C}RCPT TO:carol@example.com$C$(msg "Subject: mixed$C${C}m$C")$QUIT"
case_in 04_parameters_after_address "${HELO}MAIL FROM:alice@sender.test BODY=8BITMIME${C}RCPT TO:bob@example.com$C$(msg "Subject: params$C${C}p$C")$QUIT"
case_in 05_null_sender_and_postmaster "${HELO}MAIL FROM:<>${C}RCPT TO:postmaster$C$(msg "Subject: bounce$C${C}n$C")$QUIT"
case_in 06_half_brackets "${HELO}MAIL FROM:alice@sender.test>${C}MAIL FROM:<alice@sender.test${C}RCPT TO:bob@example.com>${C}MAIL FROM:alice@sender.test${C}RCPT TO:<bob@example.com${C}RCPT TO:bob@example.com$C$QUIT"
case_in 07_still_checked_for_relaying "${HELO}MAIL FROM:alice@sender.test${C}RCPT TO:carol@elsewhere.test${C}RCPT TO:bob@example.com$C$QUIT"
case_in 08_empty_address "${HELO}MAIL FROM:${C}RCPT TO:${C}RCPT TO:bob@example.com$C$QUIT"

finish_cases "$@"
