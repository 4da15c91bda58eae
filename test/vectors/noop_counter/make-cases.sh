#!/bin/bash
# make-cases.sh -- (re)write the "noop_counter" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# noop_counter 3 (and connection_time, which only logs): the third NOOP in a
# row gets 500 and closes the connection; HELO, EHLO, MAIL, RCPT, DATA,
# RSET, VRFY, HELP and a finished message start the count again, unknown
# commands do not.
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
noop_counter 3
connection_time
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

N="NOOP$C"
case_in 01_third_noop_disconnects "$N$N$N$N$QUIT"
case_in 02_helo_resets "$N$N$HELO$N$N$QUIT"
case_in 03_ehlo_resets "$N$N$EHLO$N$N$QUIT"
case_in 04_mail_and_rcpt_reset "$HELO$N$N$FROM$N$N$TO$N$N$QUIT"
case_in 05_data_resets "$HELO$N${N}DATA$C$N$N$QUIT"
case_in 06_rset_vrfy_help_reset "$N${N}RSET$C$N${N}VRFY bob$C$N${N}HELP$C$N$N$QUIT"
case_in 07_unknown_command_does_not_reset "$N${N}FOO$C$N$QUIT"
case_in 08_message_between_noops "$HELO$N$N$FROM$TO$(msg "Subject: n$C${C}n$C")$N$N$N$QUIT"
case_in 09_rcpt_before_mail_does_not_reset "$HELO$N$N$TO$N$QUIT"

finish_cases "$@"
