# test/vectors/lib.sh -- sourced by each suite's make-cases.sh: where the
# suite's config/ and cases/ are, and finish_cases, which drops the expected
# files of cases that no longer exist and, with --update, records NAME.out /
# NAME.mail from Debian's qpsmtpd 0.94 (the reference tools beside the
# repository).
suite=$(cd "$(dirname "$0")" && pwd)
cfg=$suite/config
cases=$suite/cases
mkdir -p "$cfg" "$cases"

# finish_cases "$@": call last, with the script's own arguments.
finish_cases() {
    local f
    for f in "$cases"/*.out "$cases"/*.mail; do
        [ -e "$f" ] || continue
        [ -e "${f%.*}.in" ] || rm -f "$f"
    done
    echo "wrote config/ and ${#names[@]} cases in $cases"
    if [ "${1:-}" = --update ]; then
        exec "$suite/../../../../shared/tools/conformance/run-suite" --reference --update "$suite"
    fi
}
