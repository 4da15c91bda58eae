#!/bin/bash
# make-cases.sh -- (re)write the "badmailfrom" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# badmailfrom with its default arguments (reject 1, reject_type perm): each
# line form of config/badmailfrom, its reasons, and the senders it never
# checks (relay clients, the null sender, addresses without a host).
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
cat > "$cfg/badmailfrom" <<'LIST'
# an address, any case; @host; patterns (a line with any of / ^ $ * + ! % ? \)
bad@evil.test
Mixed@Case.Test
@spam.test Go away spammer
^vrp.*@.*\.bulk\.test$ VERP detected
^Admin upper-case pattern
c!@x.test bang
noat
^broken( not a valid pattern
LIST
cat > "$cfg/plugins" <<'PLUGINS'
relay
badmailfrom
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
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
# from NAME SENDER: one transaction from SENDER, with a message.
from() { case_in "$1" "${HELO}MAIL FROM:$2$C$TO$(msg "Subject: $1$C${C}x$C")$QUIT"; }

from 01_exact_address               '<bad@evil.test>'
from 02_exact_address_any_case      '<BAD@Evil.Test>'
from 03_entry_with_capitals         '<mixed@case.test>'
from 04_host_with_reason            '<x@spam.test>'
from 05_host_any_case               '<x@SPAM.Test>'
from 06_host_is_not_subdomains      '<x@sub.spam.test>'
from 07_pattern_with_reason         '<vrp123@foo.bulk.test>'
from 08_pattern_on_lowercased       '<VRP7@X.Bulk.Test>'
from 09_uppercase_pattern_no_match  '<Admin1@x.test>'
from 10_bang_pattern_needs_bang     '<c@x.test>'
from 11_line_without_at_ignored     '<noat@x.test>'
from 12_not_listed                  '<good@fine.test>'
from 13_null_sender                 '<>'
from 14_sender_without_host         '<postmaster>'
from 15_relay_client_immune         '<bad@evil.test>'
case_env 15_relay_client_immune TCPREMOTEIP=192.0.2.1
case_in 16_refused_then_other_sender \
    "${HELO}MAIL FROM:<bad@evil.test>$C${TO}MAIL FROM:<good@fine.test>$C$TO$(msg "Subject: second try$C${C}y$C")$QUIT"
case_in 17_size_parameter "${HELO}MAIL FROM:<x@spam.test> SIZE=100$C$TO$QUIT"

finish_cases "$@"
