#!/bin/bash
# make-cases.sh -- (re)write the "badmailfromto" conformance suite: config/
# and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# badmailfromto: sender<TAB>recipient pairs, the sender an address or @host,
# both in any case; the refusal comes at RCPT and names the recipient; other
# recipients of a listed sender get through. (Not recorded: a sender named by
# two entries, where 0.94 remembers only the last one; see
# docs/plugins/badmailfromto.md.)
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
printf '%b' '# sender<TAB>recipient\n' \
    'bad@evil.test\tvictim@example.com\n' \
    'Mixed@Case.TEST\tVictim@Example.COM\n' \
    '@spam.test\tvictim2@example.com\n' \
    'stalker@x.test  spaced@example.com\n' \
    'noat\tvictim@example.com\n' > "$cfg/badmailfromto"
cat > "$cfg/plugins" <<'PLUGINS'
badmailfromto
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
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
# pair NAME SENDER RECIPIENT...: one transaction, a message to whoever is accepted.
pair() {
    local name=$1 from=$2 rcpts= r
    shift 2
    for r in "$@"; do rcpts+="RCPT TO:$r$C"; done
    case_in "$name" "${HELO}MAIL FROM:$from$C$rcpts$(msg "Subject: $name$C${C}x$C")$QUIT"
}

pair 01_listed_pair                '<bad@evil.test>' '<victim@example.com>' '<friend@example.com>'
pair 02_pair_any_case              '<BAD@Evil.Test>' '<VICTIM@example.COM>'
pair 03_entry_with_capitals        '<mixed@case.test>' '<victim@example.com>'
pair 04_host_entry                 '<anyone@spam.test>' '<victim2@example.com>' '<victim@example.com>'
pair 05_host_is_not_subdomains     '<anyone@sub.spam.test>' '<victim2@example.com>'
pair 06_other_sender               '<good@fine.test>' '<victim@example.com>'
pair 07_spaces_are_not_a_pair      '<stalker@x.test>' '<spaced@example.com>'
pair 08_null_sender                '<>' '<victim@example.com>'
pair 09_recipient_without_domain   '<bad@evil.test>' '<postmaster>'
case_in 10_rset_forgets_the_sender \
    "${HELO}MAIL FROM:<bad@evil.test>${C}RCPT TO:<victim@example.com>${C}RSET${C}MAIL FROM:<good@fine.test>${C}RCPT TO:<victim@example.com>$C$(msg "Subject: after rset$C${C}y$C")$QUIT"
case_in 11_refused_recipient_only "${HELO}MAIL FROM:<bad@evil.test>${C}RCPT TO:<victim@example.com>${C}DATA$C$QUIT"

finish_cases "$@"
