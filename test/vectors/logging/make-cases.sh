#!/bin/bash
# make-cases.sh -- (re)write the "logging" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# Every logging plugin that loads in 0.94 at once, at their most talkative:
# logging/warn, logging/file (one file per session), logging/adaptive,
# logging/syslog (at level 0, so nothing is sent) and logging/devnull. What
# they write is not compared (run-suite compares the replies and the stored
# mail); the suite shows that they leave both alone, refusals included.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 7               > "$cfg/loglevel"
# written so that the installation's config/ (relay clients, a size limit) does not apply
echo 192.0.2.1       > "$cfg/relayclients"
echo 0               > "$cfg/databytes"
cat > "$cfg/logging" <<'LOGGING'
logging/warn LOGDEBUG
logging/file loglevel LOGDEBUG nosplit @WORK@/session-%i.log
logging/adaptive accept LOGINFO reject LOGDEBUG
logging/syslog loglevel 0
logging/devnull
LOGGING
cat > "$cfg/plugins" <<'PLUGINS'
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
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }

case_in 01_delivery "$HELO${FROM}RCPT TO:<bob@example.com>$C$(msg "Subject: one$C${C}hi$C")$QUIT"
case_in 02_refused_then_delivered "$HELO${FROM}RCPT TO:<carol@elsewhere.test>${C}RCPT TO:<bob@example.com>$C$(msg "Subject: two$C${C}x$C")${FROM}RCPT TO:<dave@example.com>$C$(msg "Subject: three$C${C}y$C")$QUIT"
case_in 03_quit_without_helo "$QUIT"
case_in 04_rset_and_noise "${HELO}NOOP${C}FOO bar${C}${FROM}RSET${C}VRFY bob${C}HELP$C$QUIT"
case_in 05_eof_without_quit "$HELO${FROM}RCPT TO:<bob@example.com>$C$(msg "Subject: eof$C${C}e$C")"
case_in 06_multiline_header_and_dots "$HELO${FROM}RCPT TO:<bob@example.com>$C$(msg "Subject: a$C	folded$C$C..dot$C")$QUIT"

finish_cases "$@"
