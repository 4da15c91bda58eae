#!/bin/bash
# make-cases.sh -- (re)write the "help-not-implemented" conformance suite:
# config/ and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# help not_implemented 1: every HELP gets 502, even with a help file there.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -rf "$cfg"
mkdir -p "$cfg/helpdir"
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
printf '%s\n' 'MAIL FROM:<address>' '  starts a mail transaction' > "$cfg/helpdir/mail"
cat > "$cfg/plugins" <<'PLUGINS'
help not_implemented 1 help_dir @WORK@/config/helpdir
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
QUIT="QUIT$C"

case_in 01_not_implemented "HELP${C}HELP mail${C}HELP ../x${C}HELO client.test${C}HELP$C$QUIT"

finish_cases "$@"
