#!/bin/bash
# make-cases.sh -- (re)write the "relay-only" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# "check_relay only 1" (relay under its old name, as Debian's config/plugins
# names it): only relay clients may give recipients at all, even for our own
# domain; relay's own rcpt hook accepts theirs before rcpt_ok runs.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
printf '%s\n' 192.0.2.7 198.51.100. > "$cfg/relayclients"
echo 198.51.100.9    > "$cfg/norelayclients"
cat > "$cfg/plugins" <<'PLUGINS'
check_relay only 1
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
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
try() { case_in "$1" "$HELO${FROM}RCPT TO:<bob@example.com>${C}RCPT TO:<carol@elsewhere.test>${C}RCPT TO:<postmaster>$C$(msg "Subject: $1$C${C}x$C")$QUIT"; }

try 01_stranger_refused_even_for_our_domain
try 02_relay_client_by_address;     case_env 02_relay_client_by_address TCPREMOTEIP=192.0.2.7
try 03_relay_client_by_prefix;      case_env 03_relay_client_by_prefix TCPREMOTEIP=198.51.100.20
try 04_norelayclients_refused;      case_env 04_norelayclients_refused TCPREMOTEIP=198.51.100.9
try 05_relayclient_env;             case_env 05_relayclient_env TCPREMOTEIP=203.0.113.1 RELAYCLIENT=1
try 06_relayclient_env_empty;       case_env 06_relayclient_env_empty TCPREMOTEIP=203.0.113.1 RELAYCLIENT=
case_in 07_stranger_two_transactions "$HELO${FROM}RCPT TO:<bob@example.com>${C}RSET$C${FROM}RCPT TO:<bob@example.com>${C}DATA$C$QUIT"

finish_cases "$@"
