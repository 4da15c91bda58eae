#!/bin/bash
# make-cases.sh -- (re)write the "hosts_allow" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# hosts_allow: rules by client address (TCPREMOTEIP in each .env). qpsmtpd
# 0.94 never runs pre-connection under tcpserver or inetd, so its sessions
# are never refused; here pre-connection runs (decision 8), and the cases
# where a rule refuses are listed in exceptions.txt. The others show that
# accepted clients see no difference.
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
cat > "$cfg/hosts_allow" <<'RULES'
192.168.3.4      DECLINED
192.168.3.0/24   DENY Sorry, known spam only source
198.51.100.7     DENYSOFT try again later
2001:db8:1::/48  DENY no IPv6 spam
RULES
cat > "$cfg/plugins" <<'PLUGINS'
hosts_allow
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

session() { case_in "$1" "$HELO$FROM$TO$(msg "Subject: $1$C${C}h$C")$QUIT"; case_env "$1" "TCPREMOTEIP=$2"; }
session 01_not_listed 203.0.113.9
session 02_denied_block 192.168.3.5
session 03_declined_exemption 192.168.3.4
session 04_denysoft 198.51.100.7
session 05_ipv6_denied_block 2001:db8:1::25
session 06_ipv6_not_listed 2001:db8:2::25

finish_cases "$@"
