#!/bin/bash
# make-cases.sh -- (re)write the "help-default" conformance suite: config/
# and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# help without arguments: help_dir is ./help/ in the server's working
# directory. Neither server has one there (the reference runs in /,
# test/conformance/run in the repository), so every command has no help.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -rf "$cfg"
mkdir -p "$cfg"
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
cat > "$cfg/plugins" <<'PLUGINS'
help
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
QUIT="QUIT$C"

case_in 01_no_help_dir "HELP${C}HELP mail${C}HELP ../x$C$QUIT"

finish_cases "$@"
