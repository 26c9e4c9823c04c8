# Shared by the test drivers: each suite appends "name passed failed" to
# $PG_JWT_RESULTS; summarize prints the table and the closing line.

record() {
    echo "$1 $2 $3" >>"$PG_JWT_RESULTS"
    echo "== suite $1: $2 passed, $3 failed"
}

# Reads a line "N passed, N failed" from a suite's output file.
record_from_output() {
    local name=$1 file=$2 line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | tail -1)
    if [ -z "$line" ]; then
        record "$name" 0 1
    else
        record "$name" "$(echo "$line" | awk '{print $1}')" "$(echo "$line" | awk '{print $3}')"
    fi
}

run_gtest() {
    local name=$1 binary=$2 out passed failed
    out=$(mktemp)
    if [ ! -x "$binary" ]; then
        echo "missing $binary"
        record "$name" 0 1
        return
    fi
    "$binary" --gtest_brief=1 >"$out" 2>&1
    local rc=$?
    passed=$(grep -oE '^\[  PASSED  \] [0-9]+' "$out" | awk '{print $4}' | tail -1)
    failed=$(grep -oE '^\[  FAILED  \] [0-9]+ tests?,' "$out" | awk '{print $4}' | tail -1)
    passed=${passed:-0}
    failed=${failed:-0}
    if [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1  # crashed, or a sanitizer stopped it
    fi
    if [ "$failed" -ne 0 ]; then tail -60 "$out"; fi
    record "$name" "$passed" "$failed"
    rm -f "$out"
}

summarize() {
    local passed failed
    echo
    echo "suite                      passed  failed"
    awk '{printf "%-26s %6d  %6d\n", $1, $2, $3}' "$PG_JWT_RESULTS"
    passed=$(awk '{s+=$2} END {print s+0}' "$PG_JWT_RESULTS")
    failed=$(awk '{s+=$3} END {print s+0}' "$PG_JWT_RESULTS")
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
