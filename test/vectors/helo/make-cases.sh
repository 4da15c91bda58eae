#!/bin/bash
# make-cases.sh -- (re)write the "helo" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# The helo plugin with its defaults (policy lenient, reject 1): the badhelo
# list, localhost, address literals and plain IPs; refusals close the
# connection; relay clients are not checked; every message gets X-HELO at
# the top. Each refused name is a session of its own.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 10240           > "$cfg/databytes"
echo 6               > "$cfg/loglevel"
cat > "$cfg/badhelo" <<'LIST'
# names (any case), then patterns against the lower-cased name
yahoo.com
AOL.com
^bad\d+\.test$
!^[a-z0-9.:\[\]-]+$
after-pattern.test
LIST
cat > "$cfg/plugins" <<'PLUGINS'
relay
helo
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

greet 01_good_name_delivered        HELO client.test
case_in 02_ehlo_own_xhelo_replaced  "EHLO Client.Test$C$MAIL$(msg "X-HELO: forged${C}Subject: replaced${C}x-helo: two$C${C}body$C")$QUIT"
greet 03_badhelo_name               HELO yahoo.com
greet 04_badhelo_name_any_case      EHLO Aol.COM
greet 05_badhelo_pattern            HELO bad42.test
greet 06_badhelo_pattern_no_match   HELO bad.test
greet 07_badhelo_negated_pattern    HELO under_score.test
greet 08_badhelo_after_a_pattern    HELO after-pattern.test
greet 09_localhost_from_localhost   HELO localhost
greet 10_localhost_from_remote      HELO LocalHost
case_env 10_localhost_from_remote   TCPREMOTEIP=192.0.2.7
greet 11_localhost_from_loopback    HELO localhost
case_env 11_localhost_from_loopback TCPREMOTEIP=127.0.0.2
greet 12_plain_ipv4                 HELO 192.0.2.7
case_env 12_plain_ipv4              TCPREMOTEIP=192.0.2.7
greet 13_plain_ipv6                 EHLO 2001:db8::1
greet 14_forged_literal             HELO [192.0.2.8]
case_env 14_forged_literal          TCPREMOTEIP=192.0.2.7
greet 15_own_literal                HELO [192.0.2.7]
case_env 15_own_literal             TCPREMOTEIP=192.0.2.7
greet 16_relay_client_not_checked   HELO yahoo.com
case_env 16_relay_client_not_checked TCPREMOTEIP=192.0.2.1
greet 17_relayclient_env_not_checked HELO [192.0.2.99]
case_env 17_relayclient_env_not_checked TCPREMOTEIP=203.0.113.5 RELAYCLIENT=1
greet 18_unqualified_name_lenient   HELO client
greet 19_ipv6_literal_not_compared  HELO [IPv6:2001:db8::1]

finish_cases "$@"
