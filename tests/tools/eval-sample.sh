#!/usr/bin/env bash
# eval-sample.sh [CAUSEWAY [GENERATOR ARGS...]] - how well a build's built-in rule
# set recognises the sample generator's text: per symptom, the share of complaints
# meant to show it that the rules find (recall), the detections no sentence meant
# ("extra"), and detections in neutral rows (inquiries, compliments, negated
# sentences such as "the staff were not rude"), which should be none.
#
# The generator's --format debug carries the intended symptoms of every row; the
# bodies go through `causeway classify --builtin` one per line. No database.
# Defaults: build/release/causeway, --weeks 20 --per-week 1000 --seed 5.
# Environment: CW_GEN (the generator, default build/release/tools/gen_complaints).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
causeway=${1:-$root/build/release/causeway}
[ $# -gt 0 ] && shift
gen=${CW_GEN:-$root/build/release/tools/gen_complaints}
[ $# -gt 0 ] || set -- --weeks 20 --per-week 1000 --seed 5

tmp=$(mktemp -d /tmp/causeway-eval-sample.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$@" --format debug >"$tmp/debug"
cut -f 8 "$tmp/debug" | "$causeway" classify --builtin >"$tmp/found"

# Row i of the debug output is row i+1 of the classifier's CSV (after its header).
cut -f 7 "$tmp/debug" | paste -d '\t' - <(tail -n +2 "$tmp/found" | cut -d , -f 2) |
    awk -F '\t' '
    {
        nw = $1 == "" ? 0 : split($1, w, ",")
        ng = $2 == "" ? 0 : split($2, g, ";")
        delete want; delete got
        for (i = 1; i <= nw; i++) want[w[i]] = 1
        for (i = 1; i <= ng; i++) got[g[i]] = 1
        if (nw == 0) { neutral++; if (ng > 0) neutral_hit++ }
        for (s in want) { n[s]++; if (s in got) tp[s]++ }
        for (s in got) if (!(s in want)) { extra[s]++; seen[s] = 1 }
        for (s in want) seen[s] = 1
        rows++
    }
    END {
        printf "| symptom | complaints | found (recall) | extra detections |\n|---|---|---|---|\n"
        for (s in seen) list[++k] = s
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
        for (i = 1; i <= k; i++) {
            s = list[i]
            printf "| %s | %d | %.1f %% | %d |\n", s, n[s], n[s] ? 100 * tp[s] / n[s] : 0, extra[s]
            all_n += n[s]; all_tp += tp[s]
        }
        printf "| all | %d | %.1f %% | |\n", all_n, all_n ? 100 * all_tp / all_n : 0
        printf "\n%d rows; %d neutral rows, %d of them with a detection\n", rows, neutral, neutral_hit
    }'
