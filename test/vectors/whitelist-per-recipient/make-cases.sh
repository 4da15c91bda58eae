#!/bin/bash
# make-cases.sh -- (re)write the "whitelist-per-recipient" conformance
# suite: config/ and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# whitelist per_recipient 1 in front of badmailfrom and rcpt_ok: nothing is
# whitelisted before RCPT (badmailfrom still refuses at MAIL), and at RCPT a
# whitelisted host, HELO name, sender or recipient accepts the recipient.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
printf '%s\n' bad@evil.test @spam.test > "$cfg/badmailfrom"
printf '%s\n' 192.0.2. > "$cfg/whitelisthosts"
printf '%s\n' good.helo.test > "$cfg/whitelisthelo"
printf '%s\n' friend.test > "$cfg/whitelistsenders"
printf '%s\n' open.test > "$cfg/whitelistrcpt"
cat > "$cfg/plugins" <<'PLUGINS'
whitelist per_recipient 1
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
# session NAME HELO SENDER: a listed sender first (refused at MAIL), then SENDER to two recipients.
session() {
    case_in "$1" "HELO $2${C}MAIL FROM:<bad@evil.test>${C}MAIL FROM:$3${C}RCPT TO:<a@open.test>${C}RCPT TO:<a@elsewhere.test>${C}RCPT TO:<b@example.com>$C$(msg "Subject: $1$C${C}x$C")$QUIT"
}

session 01_host          client.test    '<alice@sender.test>'
case_env 01_host TCPREMOTEIP=192.0.2.7
session 02_helo          good.helo.test '<alice@sender.test>'
session 03_sender        client.test    '<pal@friend.test>'
session 04_recipient     client.test    '<alice@sender.test>'
session 05_whitelistclient client.test  '<alice@sender.test>'
case_env 05_whitelistclient WHITELISTCLIENT=1

finish_cases "$@"
