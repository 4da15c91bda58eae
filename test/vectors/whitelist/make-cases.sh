#!/bin/bash
# make-cases.sh -- (re)write the "whitelist" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# whitelist (normal mode) in front of badmailfrom and rcpt_ok: whitelisted
# hosts (text prefixes) and senders are immune (badmailfrom skips them,
# rcpt_ok lets them relay); WHITELISTCLIENT and whitelisthelo only end their
# hook's chain; whitelisted recipients are accepted, even elsewhere.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
printf '%s\n' bad@evil.test @spam.test @friend.test > "$cfg/badmailfrom"
printf '%s\n' 192.0.2. 10.1 > "$cfg/whitelisthosts"
printf '%s\n' Good.Helo.test > "$cfg/whitelisthelo"
printf '%s\n' Pal@Friend.test spam.test @sub.test > "$cfg/whitelistsenders"
printf '%s\n' Friend@ELSEWHERE.test open.test @at.test > "$cfg/whitelistrcpt"
cat > "$cfg/plugins" <<'PLUGINS'
whitelist
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
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
# session NAME HELO SENDER RECIPIENT...: one transaction, a message to whoever is accepted.
session() {
    local name=$1 helo=$2 from=$3 rcpts= r
    shift 3
    for r in "$@"; do rcpts+="RCPT TO:$r$C"; done
    case_in "$name" "HELO $helo${C}MAIL FROM:$from$C$rcpts$(msg "Subject: $name$C${C}x$C")$QUIT"
}

session 01_host_immune              client.test '<bad@evil.test>' '<bob@elsewhere.test>'
case_env 01_host_immune TCPREMOTEIP=192.0.2.7
session 02_host_prefix_is_text      client.test '<bad@evil.test>' '<bob@elsewhere.test>'
case_env 02_host_prefix_is_text TCPREMOTEIP=10.11.0.1
session 03_host_not_listed          client.test '<bad@evil.test>' '<bob@example.com>'
case_env 03_host_not_listed TCPREMOTEIP=192.0.3.7
session 04_whitelistclient_not_immune client.test '<bad@evil.test>' '<bob@elsewhere.test>'
case_env 04_whitelistclient_not_immune WHITELISTCLIENT=
session 05_helo_not_immune          GOOD.helo.TEST '<bad@evil.test>' '<bob@example.com>'
session 06_sender_address           client.test '<pal@FRIEND.test>' '<bob@elsewhere.test>'
session 07_sender_host              client.test '<anyone@Spam.Test>' '<bob@example.com>'
session 08_sender_no_subdomains     client.test '<x@sub.spam.test>' '<bob@elsewhere.test>'
session 09_sender_at_host_no_entry  client.test '<x@sub.test>' '<bob@elsewhere.test>'
session 10_other_sender_at_host     client.test '<other@friend.test>' '<bob@example.com>'
session 11_null_sender              client.test '<>' '<bob@elsewhere.test>'
session 12_recipients               client.test '<alice@sender.test>' '<FRIEND@elsewhere.test>' '<a@OPEN.test>' '<a@sub.open.test>' '<a@at.test>' '<bob@example.com>' '<postmaster>'
case_in 13_sender_immunity_ends_with_transaction \
    "HELO client.test${C}MAIL FROM:<x@spam.test>${C}RCPT TO:<bob@elsewhere.test>${C}RSET${C}MAIL FROM:<bad@evil.test>${C}MAIL FROM:<alice@sender.test>${C}RCPT TO:<bob@elsewhere.test>${C}RCPT TO:<bob@example.com>$C$(msg "Subject: 13$C${C}y$C")$QUIT"

finish_cases "$@"
