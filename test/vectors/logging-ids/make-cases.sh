#!/bin/bash
# make-cases.sh -- (re)write the "logging-ids" conformance suite: config/ and the
# client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# logging/connection_id and logging/transaction_id: 0.94's plugins die at
# start-up ("The connection ID feature is currently unsupported") and the
# client gets nothing; here connections and transactions have ids, the
# plugins load and the session is a normal one (a listed exception).
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
logging/connection_id LOGINFO
logging/transaction_id LOGINFO
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
