#!/bin/bash
# make-cases.sh -- (re)write the "relay" conformance suite: config/ and the
# client transcripts cases/NAME.in (+ cases/NAME.env).
#
#   ./make-cases.sh            write config/ and the inputs only
#   ./make-cases.sh --update   ... then record NAME.out / NAME.mail from
#                              Debian's qpsmtpd 0.94 (the reference tools
#                              beside the repository)
#
# Who may relay, seen through rcpt_ok: a relay client may send to any
# domain, everyone else only to example.com. Each case sets the client
# address (TCPREMOTEIP) and RELAYCLIENT in its .env file.
set -eu
. "$(dirname "$0")/../lib.sh"

# ---- config -------------------------------------------------------------
rm -f "$cfg"/*
echo mx.example.test > "$cfg/me"
echo example.com     > "$cfg/rcpthosts"
echo 6               > "$cfg/loglevel"
cat > "$cfg/relayclients" <<'LIST'
# an exact address, a prefix ending in ".", CIDR blocks (IPv4 and IPv6) and
# an IPv6 prefix of the expanded address, one hex digit at a time
192.0.2.7
198.51.100.
10.1.0.0/16
2001:db8:1::/48
2001:0db8:0003
LIST
cat > "$cfg/norelayclients" <<'LIST'
10.1.2.3
203.0.113.
LIST
# morerelayclients.cdb: keys are addresses or prefixes (no CIDR); values unused.
# qpsmtpd looks for NAME.cdb only in a directory that also holds NAME (as
# qmail keeps morercpthosts beside morercpthosts.cdb), so the source list is
# written too.
printf '%s\n' 192.0.2.50 172.16. > "$cfg/morerelayclients"
sed 's/$/ 1/' "$cfg/morerelayclients" | cdb -c -m "$cfg/morerelayclients.cdb"
cat > "$cfg/plugins" <<'PLUGINS'
relay
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
OURS="RCPT TO:<bob@example.com>$C"
ELSEWHERE="RCPT TO:<carol@elsewhere.test>$C"
QUIT="QUIT$C"
msg() { printf '%s' "DATA$C$1.$C"; }
# relay_try NAME: a recipient elsewhere and one of ours, then a message.
relay_try() { case_in "$1" "$HELO$FROM$ELSEWHERE$OURS$(msg "Subject: $1$C${C}x$C")$QUIT"; }

relay_try 01_exact_address;            case_env 01_exact_address TCPREMOTEIP=192.0.2.7
relay_try 02_exact_is_not_a_prefix;    case_env 02_exact_is_not_a_prefix TCPREMOTEIP=192.0.2.70
relay_try 03_prefix_with_dot;          case_env 03_prefix_with_dot TCPREMOTEIP=198.51.100.200
relay_try 04_outside_the_prefix;       case_env 04_outside_the_prefix TCPREMOTEIP=198.51.101.1
relay_try 05_inside_cidr;              case_env 05_inside_cidr TCPREMOTEIP=10.1.3.4
relay_try 06_outside_cidr;             case_env 06_outside_cidr TCPREMOTEIP=10.2.0.1
relay_try 07_ipv6_inside_cidr;         case_env 07_ipv6_inside_cidr TCPREMOTEIP=2001:db8:1::5
relay_try 08_ipv6_outside_cidr;        case_env 08_ipv6_outside_cidr TCPREMOTEIP=2001:db8:4::1
relay_try 09_ipv6_prefix;              case_env 09_ipv6_prefix TCPREMOTEIP=2001:db8:3::1
relay_try 10_ipv6_prefix_ends_at_group; case_env 10_ipv6_prefix_ends_at_group TCPREMOTEIP=2001:db8:30::1
relay_try 11_ipv6_localhost;           case_env 11_ipv6_localhost TCPREMOTEIP=::1
relay_try 12_ipv4_localhost_unlisted   # the default client, 127.0.0.1
relay_try 13_morerelayclients_address; case_env 13_morerelayclients_address TCPREMOTEIP=192.0.2.50
relay_try 14_morerelayclients_prefix;  case_env 14_morerelayclients_prefix TCPREMOTEIP=172.16.9.9
relay_try 15_morerelayclients_miss;    case_env 15_morerelayclients_miss TCPREMOTEIP=192.0.2.51
relay_try 16_norelayclients_beats_cidr; case_env 16_norelayclients_beats_cidr TCPREMOTEIP=10.1.2.3
relay_try 17_relayclient_env;          case_env 17_relayclient_env TCPREMOTEIP=192.0.2.200 RELAYCLIENT=1
relay_try 18_norelayclients_beats_env; case_env 18_norelayclients_beats_env TCPREMOTEIP=203.0.113.5 RELAYCLIENT=1
relay_try 19_relayclient_env_empty;    case_env 19_relayclient_env_empty TCPREMOTEIP=192.0.2.200 RELAYCLIENT=
case_in 20_relay_client_several_domains \
    "$HELO${FROM}RCPT TO:<a@one.test>${C}RCPT TO:<b@two.test>${C}RCPT TO:<postmaster>$C$(msg "Subject: many$C${C}m$C")$QUIT"
case_env 20_relay_client_several_domains TCPREMOTEIP=192.0.2.7

finish_cases "$@"
