#!/bin/bash
# make-cases.sh -- (re)write the "naughty-mail" conformance suite: config/
# and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# naughty refusing at MAIL, with its own reject_type (temp) for deferrals
# that carry none (badmailfrom's here), while headers' deferrals carry its
# default "perm". naughty also hooks data_post, so a message that headers
# finds wanting is refused there, and every later MAIL of the connection
# too. bogus_bounce's one-word "deny" form never refuses.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
echo bad@evil.test   > "$cfg/badmailfrom"
cat > "$cfg/plugins" <<'PLUGINS'
badmailfrom reject naughty
headers reject 0
bogus_bounce deny
naughty reject mail reject_type temp
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
HELO="HELO client.test$C"
FROM="MAIL FROM:<alice@sender.test>$C"
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_clean_message "$HELO$FROM$TO$(msg "From: alice@sender.test${C}Subject: clean$C${C}hi$C")$QUIT"
case_in 02_missing_from_then_mail_refused "$HELO$FROM$TO$(msg "Subject: no from$C${C}x$C")$FROM$TO$QUIT"
case_in 03_badmailfrom_refused_at_mail "${HELO}MAIL FROM:<bad@evil.test>$C$TO$FROM$QUIT"
case_in 04_deny_word_does_not_refuse "${HELO}MAIL FROM:<>$C$TO$(msg "From: MAILER-DAEMON@sender.test${C}Return-Path: <x@sender.test>$C${C}bounce$C")$QUIT"

finish_cases "$@"
