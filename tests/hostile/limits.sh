# limits.sh: sourced by the hostile tests: `limited CMD ARGS...` runs CMD with issue 13's generous limits, 512 MB of
# address space (ulimit -v 524288) and 20 s (timeout 20), and returns its exit status (124: timed out). Under the
# sanitizers (scripts/sanitize.sh sets ASAN_OPTIONS) the address-space limit is left out, since ASan reserves terabytes
# of shadow memory up front and checks memory itself, and the time limit is five times longer for its slowdown.
limited() {
    if [ -n "${ASAN_OPTIONS:-}" ]; then
        timeout 100 "$@"
    else
        (ulimit -v 524288 && timeout 20 "$@")
    fi
}
