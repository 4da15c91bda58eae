#!/bin/bash
# make-cases.sh -- (re)write the "helo-reject0" conformance suite:
# config/ and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# helo reject 0: failing names are only logged (and cost karma); the client
# goes on, and the message carries the name in X-HELO.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 10240           > "$cfg/databytes"
echo 6               > "$cfg/loglevel"
printf '%s\n' yahoo.com '^bad\d+\.test$' > "$cfg/badhelo"
cat > "$cfg/plugins" <<'PLUGINS'
helo reject 0
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }
case_env() { printf '%s\n' "${@:2}" > "$cases/$1.env"; }

C='\r\n'
QUIT="QUIT$C"
MAIL="MAIL FROM:<alice@sender.test>${C}RCPT TO:<bob@example.com>$C"
msg() { printf '%s' "DATA$C$1.$C"; }
greet() { # NAME VERB HOST: one greeting, then a transaction and QUIT (unanswered after a refusal)
    case_in "$1" "$2 $3$C$MAIL$(msg "Subject: $1$C${C}x$C")$QUIT"
}

greet 01_badhelo_name_tolerated     HELO yahoo.com
greet 02_forged_literal_tolerated   HELO [192.0.2.8]
greet 03_localhost_from_remote_tolerated HELO localhost
case_env 03_localhost_from_remote_tolerated TCPREMOTEIP=192.0.2.7
greet 04_plain_ip_tolerated         EHLO 192.0.2.7

finish_cases "$@"
