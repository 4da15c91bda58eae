#!/bin/bash
# make-cases.sh -- (re)write the "earlytalker" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# earlytalker with its defaults (check at connect, reject 1, reject_type
# perm) and a short wait. A case's bytes all arrive before the greeting, so
# every client talks early: it gets 550 and is disconnected, unless it is a
# relay client (immune).
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
# relay first: its relay clients are immune to earlytalker
relay
earlytalker wait 0.3
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
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_talks_first "$HELO$QUIT"
case_in 02_whole_message_first "$HELO$FROM$TO$(msg "Subject: early$C${C}e$C")$QUIT"
case_in 03_relay_client_is_immune "$HELO$FROM$TO$(msg "Subject: immune$C${C}i$C")$QUIT"
case_env 03_relay_client_is_immune RELAYCLIENT=1

finish_cases "$@"
