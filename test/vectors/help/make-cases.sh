#!/bin/bash
# make-cases.sh -- (re)write the "help" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# help with a help_dir (config/helpdir, absolute through @WORK@) and
# <command> <file> pairs: a good one, a missing file, a bad file name, a
# directory, and a bare name (looked up under help/help/ in the working
# directory, where neither server finds it).
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -rf "$cfg"
mkdir -p "$cfg/helpdir/adir"
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 192.0.2.1       > "$cfg/relayclients"
echo 6               > "$cfg/loglevel"
printf '%s\n' 'MAIL FROM:<address>' '  starts a mail transaction' > "$cfg/helpdir/mail"
printf '%s\n' 'first' '' 'third' > "$cfg/helpdir/blank"
printf 'no newline at the end' > "$cfg/helpdir/nonl"
: > "$cfg/helpdir/empty"
echo 'QUIT from help_dir' > "$cfg/helpdir/quit"
printf '%s\n' 'DATA, the long version' 'ends with a dot on a line of its own' > "$cfg/helpdir/long.txt"
echo 'a file in a directory' > "$cfg/helpdir/adir/file"
cat > "$cfg/plugins" <<'PLUGINS'
help help_dir @WORK@/config/helpdir data @WORK@/config/helpdir/long.txt quit quit.txt expn @WORK@/config/missing mail bad$name rcpt @WORK@/config/helpdir/adir
rcpt_ok
queue/maildir @WORK@/maildir
PLUGINS

# ---- cases --------------------------------------------------------------
rm -f "$cases"/*.in "$cases"/*.env
names=()
case_in() { names+=("$1"); printf '%b' "$2" > "$cases/$1.in"; }

C='\r\n'
QUIT="QUIT$C"

case_in 01_help_without_command "HELP${C}HELP 0${C}HELP $C$QUIT"
case_in 02_help_dir_any_case "HELP MAIL${C}HELP mail${C}HELP  Mail$C$QUIT"
case_in 03_help_files "HELP blank${C}HELP nonl${C}HELP empty${C}HELP adir${C}HELP nosuch$C$QUIT"
case_in 04_help_pairs "HELP DATA${C}HELP quit${C}HELP expn${C}HELP rcpt$C$QUIT"
case_in 05_invalid_command_names "HELP mail from${C}HELP ../mail${C}HELP MAIL ${C}HELP adir/file${C}HELP mail-x$C$QUIT"
case_in 06_help_in_a_transaction "HELO client.test${C}MAIL FROM:<alice@sender.test>${C}HELP rcpt${C}RCPT TO:<bob@example.com>${C}DATA${C}Subject: help$C${C}h$C.$C$QUIT"

finish_cases "$@"
