#!/bin/bash
# make-cases.sh -- (re)write the "rcpt_ok" conformance suite: config/ and the
# client transcripts cases/NAME.in.
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# rcpt_ok: which recipient domains are ours (me, rcpthosts with "."
# entries for subdomains, morercpthosts.cdb) and the recipients without a
# domain. No relay plugin: the default client may not relay.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo 6               > "$cfg/loglevel"
printf '%s\n' example.com .sub.test UPPER.test > "$cfg/rcpthosts"
# qpsmtpd looks for NAME.cdb only in a directory that also holds NAME (as
# qmail keeps morercpthosts beside morercpthosts.cdb), so both are written.
printf '%s\n' more.test Mixed.Test > "$cfg/morercpthosts"
sed 's/$/ 1/' "$cfg/morercpthosts" | cdb -c -m "$cfg/morercpthosts.cdb"
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
# rcpts NAME ADDR...: one transaction with these recipients, then a message.
rcpts() {
    local name=$1 lines= r
    shift
    for r in "$@"; do lines+="RCPT TO:$r$C"; done
    case_in "$name" "$HELO$FROM$lines$(msg "Subject: $name$C${C}x$C")$QUIT"
}

rcpts 01_me_any_case '<a@mx.example.test>' '<a@MX.Example.Test>'
rcpts 02_rcpthosts_any_case '<a@example.com>' '<a@Example.COM>' '<a@upper.test>'
rcpts 03_plain_entry_is_that_domain_only '<a@sub.example.com>' '<a@badexample.com>' '<a@example.com.evil.test>'
rcpts 04_dot_entry_is_subdomains '<a@x.sub.test>' '<a@X.SUB.TEST>' '<a@deep.x.sub.test>' '<a@sub.test>' '<a@xsub.test>'
rcpts 05_morercpthosts '<a@more.test>' '<a@MORE.test>' '<a@sub.more.test>'
rcpts 06_morercpthosts_keys_as_written '<a@mixed.test>' '<a@Mixed.Test>'
rcpts 07_no_domain '<postmaster>' '<Postmaster>' '<abuse>' '<bob>'
rcpts 08_foreign_postmaster '<postmaster@elsewhere.test>' '<a@elsewhere.test>'
rcpts 09_all_refused '<a@elsewhere.test>' '<b@example.org>'

finish_cases "$@"
