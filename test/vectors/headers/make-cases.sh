#!/bin/bash
# make-cases.sh -- (re)write the "headers" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# headers with its default "reject 1" (refused at once, 552) and Date limits
# of 1 day ahead and 30 days back. The dates are years away from any day the
# suite can run (2003 and 2099), so the replies do not depend on the clock.
# Without naughty the deferred copies of the refusals are never used.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
headers future 1 past 30
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
msg() { printf '%s' "$FROM${TO}DATA$C$1.$C"; }
# dated NAME DATE...: one message per Date value, each with a From field.
dated() {
    local name=$1 out=$HELO d; shift
    for d in "$@"; do out+=$(msg "From: alice@sender.test${C}Date: $d$C${C}x$C"); done
    case_in "$name" "$out$QUIT"
}

case_in 01_from_present_no_date "$HELO$(msg "From: alice@sender.test${C}Subject: no date needed$C${C}x$C")$QUIT"
case_in 02_missing_from "$HELO$(msg "Subject: no from$C${C}x$C")$QUIT"
case_in 03_repeated_subject "$HELO$(msg "From: alice@sender.test${C}Subject: one${C}Subject: two$C${C}x$C")$QUIT"
case_in 04_repeat_after_empty_first_is_missed "$HELO$(msg "From: alice@sender.test${C}Subject:${C}Subject: two$C${C}x$C")$QUIT"
case_in 05_empty_message "$HELO$(msg "")$QUIT"
dated 06_date_too_old 'Tue, 1 Jul 2003 10:52:37 +0200' '1 Jul 03 10:52 GMT' 'Tue, 1 Jul 2003 10:52:37 CEST (comment)' \
    'Tue Jul  1 10:52:37 2003' '2003-07-01T10:52:37Z' 'July 1, 2003'
dated 07_date_in_the_future 'Thu, 1 Jan 2099 00:00:00 -0000' '1 Jan 2099' '2099-01-01 12:00:00'
dated 08_date_not_parseable 'yesterday' 'Tue, 31 Feb 2003 10:52:37 +0200' 'Tue, 1 Jul 2003 25:52:37 +0200' \
    'Mon, 2 Jan 2099 10:00:00 XYZ' 'Thu, 01 Jan 1970 00:00:00 +0000'
case_in 09_date_checked_before_repeats "$HELO$(msg "From: alice@sender.test${C}From: bob@sender.test${C}Date: Tue, 1 Jul 2003 10:52:37 +0200$C${C}x$C")$QUIT"

finish_cases "$@"
