#!/bin/bash
# make-cases.sh -- (re)write the "rcpt_regexp" conformance suite: config/
# and the client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# rcpt_regexp: /regex/ and exact-address lines, each code, texts and no
# texts, the first match deciding, DECLINED falling through to rcpt_ok, a
# pattern that does not compile. (Not recorded: a line without a code, on
# which 0.94 and current qpsmtpd crash, and DONE lines, which leave the
# client without a reply; see docs/plugins/rcpt_regexp.md.)
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/rcpt_regexp" <<'RULES'
# rcpt_regexp - config for rcpt_regexp plugin
/^bro(ken/              DENY     not a valid pattern
me@Example.com          OK       Accepting mail
/^user\d+\@doma\.in$/   OK       Accepting mail
info@example.com        DENY     User not found.
/^unused\@.*/           DENY     User  not   found.
/^soft@/                DENYSOFT
badcode@example.com     NOPE     not a code
/\Aanchored\@x\.test\z/ DENY     anchors
/^(abuse|postmaster)\@/ DECLINED
/^bye@/                 DENY_DISCONNECT go away
/@example\.com$/        DECLINED Fall through to next rcpt plugin
/^.*$/                  DENY     No such user.
RULES
cat > "$cfg/plugins" <<'PLUGINS'
rcpt_regexp
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

to 01_address_ok_any_case       '<ME@example.COM>'
to 02_pattern_ok_any_case       '<User12@Doma.In>'
to 03_address_deny              '<info@example.com>'
to 04_pattern_deny_text_spaces  '<unused@anywhere.test>'
to 05_denysoft_without_text     '<soft@example.com>'
to 06_invalid_code_skipped      '<badcode@example.com>'
to 07_perl_anchors              '<anchored@x.test>'
to 08_perl_anchors_no_match     '<xanchored@x.test>'
to 09_declined_to_rcpt_ok       '<abuse@example.com>'
to 10_declined_not_our_domain   '<postmaster@elsewhere.test>'
to 11_deny_disconnect           '<bye@example.com>'
to 12_fall_through              '<someone@example.com>'
to 13_catch_all                 '<someone@elsewhere.test>'
to 14_invalid_pattern_skipped   '<broken@elsewhere.test>'
to 15_postmaster_without_domain '<postmaster>'
case_in 16_several_recipients \
    "$HELO${FROM}RCPT TO:<info@example.com>${C}RCPT TO:<me@example.com>${C}RCPT TO:<soft@x.test>${C}RCPT TO:<else@example.com>$C$(msg "Subject: several$C${C}y$C")$QUIT"

finish_cases "$@"
