#!/bin/bash
# make-cases.sh -- (re)write the "helo-rfc" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# helo policy rfc, with reject_type temp (which qpsmtpd overrides: refusals
# are still 550 and close) and timeout 3. Only names refused before the DNS
# checks are recorded: qpsmtpd's DNS lookups (not done here yet) would make
# the other cases depend on the network.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 10240           > "$cfg/databytes"
echo 6               > "$cfg/loglevel"
echo yahoo.com       > "$cfg/badhelo"
cat > "$cfg/plugins" <<'PLUGINS'
relay
helo policy rfc reject_type temp timeout 3
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

greet 01_not_fully_qualified        HELO client
greet 02_ehlo_not_fully_qualified   EHLO Client
greet 03_invalid_characters         HELO under_score.example
greet 04_badhelo_comes_first        HELO yahoo.com
greet 05_plain_ip_comes_first       HELO 192.0.2.7
greet 06_ipv6_literal_not_qualified HELO [IPv6:2001:db8::1]
greet 07_relay_client_not_checked   HELO client
case_env 07_relay_client_not_checked TCPREMOTEIP=192.0.2.1

finish_cases "$@"
