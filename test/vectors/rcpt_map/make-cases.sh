#!/bin/bash
# make-cases.sh -- (re)write the "rcpt_map" conformance suite: config/ and
# the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# rcpt_map for example.com with a map file and a default with a text: each
# code of a map line, the default, other domains, lines without a usable
# code. Map lines use single spaces, as 0.94 needs; a line without a text
# after its code is one of the exceptions (0.94 could not read it).
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
printf '%s\n' example.com example.org > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/map_example_com" <<'MAP'
# example_com_map - config for rcpt_map plugin
me@example.com OK Welcome
info@example.com DENY User not found.
busy@example.com DENYSOFT Mailbox  busy, try later
pass@example.com DECLINED Left to rcpt_ok
bye@example.com DENY_DISCONNECT Go away
plain@example.com OK
broken@example.com NOPE x
nocode@example.com
MAP
cat > "$cfg/plugins" <<'PLUGINS'
rcpt_map domain Example.COM file @WORK@/config/map_example_com default DENYSOFT=Unknown_user,_try_later
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
# to NAME RECIPIENT: one transaction to RECIPIENT, with a message.
to() { case_in "$1" "$HELO${FROM}RCPT TO:$2$C$(msg "Subject: $1$C${C}x$C")$QUIT"; }

to 01_listed_ok                 '<me@example.com>'
to 02_listed_ok_any_case        '<ME@Example.Com>'
to 03_listed_deny               '<info@example.com>'
to 04_listed_denysoft           '<busy@example.com>'
to 05_listed_declined           '<pass@example.com>'
to 06_listed_deny_disconnect    '<bye@example.com>'
to 07_not_listed_default        '<stranger@example.com>'
to 08_invalid_code_default      '<broken@example.com>'
to 09_missing_code_default      '<nocode@example.com>'
to 10_other_domain              '<me@example.org>'
to 11_not_our_domain            '<me@elsewhere.test>'
to 12_postmaster                '<postmaster>'
to 13_ok_without_text           '<plain@example.com>'
case_in 14_several_recipients \
    "$HELO${FROM}RCPT TO:<info@example.com>${C}RCPT TO:<me@example.com>${C}RCPT TO:<stranger@example.com>${C}RCPT TO:<x@example.org>$C$(msg "Subject: several$C${C}y$C")$QUIT"

finish_cases "$@"
