#!/bin/bash
# make-cases.sh -- (re)write the "naughty" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# Deferred rejections, as qpsmtpd's sample config uses them: badmailfrom and
# headers store their refusals in the connection note "naughty" and naughty
# carries them out at DATA (or at data_post, for what headers finds after
# the message). headers has "reject 0" and still refuses missing or repeated
# fields through naughty (quirk 35); the note stays, so later DATA commands
# are refused too. loop, bogus_bounce (log only) and content_log run in the
# same data_post chain; relay makes 192.0.2.1 an immune relay client.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
echo bad@evil.test   > "$cfg/badmailfrom"
# content_log writes into the work dir here (0.94 ignores this and fails to
# open mail/<date> relative to its working directory, which is harmless too).
echo '@WORK@/content-%Y%m%d' > "$cfg/content_log_file"
cat > "$cfg/plugins" <<'PLUGINS'
relay
badmailfrom reject naughty
headers reject 0 reject_type temp require From,Date
loop 3
bogus_bounce log
content_log
naughty reject data
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
TO="RCPT TO:<bob@example.com>$C"
QUIT="QUIT$C"
DATE="Date: Tue, 1 Jul 2003 10:52:37 +0200$C"
msg() { printf '%s' "DATA$C$1.$C"; }
again() { printf '%s' "$FROM${TO}DATA$C"; }

case_in 01_clean_message "$HELO$FROM$TO$(msg "From: alice@sender.test$C${DATE}Subject: clean$C${C}hi$C")$QUIT"
case_in 02_missing_date_then_refused_again "$HELO$FROM$TO$(msg "From: alice@sender.test${C}Subject: no date$C${C}x$C")$(again)$QUIT"
case_in 03_missing_from_and_date "$HELO$FROM$TO$(msg "Subject: neither$C${C}x$C")$QUIT"
case_in 04_repeated_fields "$HELO$FROM$TO$(msg "From: alice@sender.test$C${DATE}Subject: one${C}subject: two${C}To: a@example.com${C}To: b@example.com$C${C}x$C")$QUIT"
case_in 05_empty_required_value "$HELO$FROM$TO$(msg "From:   $C$DATE$C${C}x$C")$QUIT"
case_in 06_badmailfrom_refused_at_data "${HELO}MAIL FROM:<bad@evil.test>$C${TO}DATA${C}Subject: never$C.$C$QUIT"
case_in 07_relay_client_is_immune "$HELO$FROM$TO$(msg "Subject: no from, no date$C${C}x$C")$QUIT"
case_env 07_relay_client_is_immune TCPREMOTEIP=192.0.2.1
case_in 08_empty_message_tolerated "$HELO$FROM$TO$(msg "")$QUIT"
case_in 09_loop_counts_our_received "$HELO$FROM$TO$(msg "From: alice@sender.test$C${DATE}Received: from one$C${C}one hop before us$C")$FROM$TO$(msg "From: alice@sender.test$C${DATE}Received: from one${C}Received: from two$C${C}two hops before us$C")$QUIT"
case_in 10_loop_counts_delivered_to "$HELO$FROM$TO$(msg "From: alice@sender.test$C${DATE}Delivered-To: x@example.com${C}Received: from one$C${C}x$C")$FROM$TO$(msg "From: alice@sender.test$C$DATE${C}Received: in the body is no hop${C}Received: nor this$C")$QUIT"
case_in 11_bounce_with_return_path_logged "${HELO}MAIL FROM:<>$C$TO$(msg "From: MAILER-DAEMON@sender.test$C${DATE}Return-Path: <x@sender.test>$C${C}bounce$C")$QUIT"
case_in 12_folded_and_lowercase_fields "$HELO$FROM$TO$(msg "from:${C} alice@sender.test${C}DATE: Tue, 1 Jul 2003${C}  10:52:37 +0200$C${C}x$C")$QUIT"

finish_cases "$@"
