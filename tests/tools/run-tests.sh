#!/usr/bin/env bash
# run-tests.sh BUILD_DIR [TEST_BINARY_NAME...] - run the Criterion suites of a build.
#
# Sanitizer reports go to files (ASan, LSan, UBSan log_path) because Criterion
# does not fail a test on a leak: any report file after the run fails the suite,
# and its content is printed. Ends with one summary line over all suites.
set -uo pipefail

build=${1:?usage: run-tests.sh BUILD_DIR [TEST...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

reports=$(mktemp -d /tmp/causeway-san.XXXXXX)
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$reports/asan:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export CW_BIN="$root/$build/causeway"
export CW_TOOLS="$root/$build/tools"
export CW_SHARED_DATA="${CW_SHARED_DATA:-$root/../shared/data}"

if [ $# -gt 0 ]; then
    suites=("${@/#/$build/tests/}")
else
    suites=("$build"/tests/test_*)
fi

tested=0 passing=0 failing=0 crashing=0 status=0
for suite in "${suites[@]}"; do
    [ -x "$suite" ] || continue
    [[ "$suite" == *.d ]] && continue
    # A binary left from a suite since renamed or removed is not part of the suite.
    [ -f "tests/$(basename "$suite").c" ] || { echo "run-tests: skipping stale $suite (no tests/$(basename "$suite").c)" >&2; continue; }
    log=$(mktemp)
    "$suite" --jobs "${CW_TEST_JOBS:-2}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -a 'Synthesis: Tested:' "$log" | tail -n 1)
    rm -f "$log"
    if [[ "$line" =~ Tested:\ ([0-9]+)\ \|\ Passing:\ ([0-9]+)\ \|\ Failing:\ ([0-9]+)\ \|\ Crashing:\ ([0-9]+) ]]; then
        tested=$((tested + BASH_REMATCH[1])); passing=$((passing + BASH_REMATCH[2]))
        failing=$((failing + BASH_REMATCH[3])); crashing=$((crashing + BASH_REMATCH[4]))
    else
        echo "run-tests: $suite printed no summary (exit $rc)" >&2
        crashing=$((crashing + 1))
    fi
    [ "$rc" -eq 0 ] || status=1
done

# Fuzz corpora: replay_NAME runs over tests/data/NAME (seeds) and tests/fuzz/corpus/NAME.
if [ $# -eq 0 ]; then
    for replay in "$build"/fuzz/replay_*; do
        [ -x "$replay" ] || continue
        name=${replay##*/replay_}
        inputs=()
        for d in "tests/data/$name" "tests/fuzz/corpus/$name"; do [ -d "$d" ] && inputs+=("$d"); done
        [ ${#inputs[@]} -gt 0 ] || continue
        if "$replay" "${inputs[@]}"; then
            passing=$((passing + 1))
        else
            echo "run-tests: fuzz corpus replay $name failed" >&2
            failing=$((failing + 1)); status=1
        fi
        tested=$((tested + 1))
    done
fi

if compgen -G "$reports/*" >/dev/null; then
    echo "run-tests: sanitizer reports (leaks included) fail the suite:" >&2
    for f in "$reports"/*; do echo "---- $f" >&2; head -n 60 "$f" >&2; done
    status=1
    failing=$((failing + 1))
fi
[ "$tested" -gt 0 ] || { echo "run-tests: no test ran" >&2; status=1; }

echo "Synthesis: Tested: $tested | Passing: $passing | Failing: $failing | Crashing: $crashing"
echo "$passing passed, $((failing + crashing)) failed"
exit $status
