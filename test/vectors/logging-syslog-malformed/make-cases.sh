#!/bin/bash
# make-cases.sh -- (re)write the "logging-syslog-malformed" conformance suite: config/ and the
# client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# logging/syslog with an odd number of arguments: 0.94 warns ("Malformed
# arguments to syslog plugin") and takes mail with its log going nowhere;
# here the start-up stops and the client gets 421 (a listed exception).
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
cat > "$cfg/logging" <<'LOGGING'
logging/syslog loglevel
LOGGING
cat > "$cfg/plugins" <<'PLUGINS'
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
case_in 01_delivery "HELO client.test${C}MAIL FROM:<alice@sender.test>${C}RCPT TO:<bob@example.com>${C}DATA${C}Subject: one$C${C}hi$C.${C}QUIT$C"

finish_cases "$@"
