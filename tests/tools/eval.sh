#!/usr/bin/env bash
# eval.sh BUILD_DIR [DATA_DIR] - rule quality of the default rule set on real,
# labelled complaint text (`make eval`; results go in BENCHMARKS.md).
#
# Data (never copied into the repository; see DATA_DIR/README.md), each scored by
# `causeway coverage` in label mode, the way issue 12 measures the rules:
#   cfpb/complaints.csv                CFPB narratives, label symptom_class + label_strength
#   banking77/train.csv                BANKING77 messages, intents mapped with their strength
#                                      by banking77/intent_to_symptom.csv
#   mams_restaurants/complaints.csv    MAMS restaurant sentences   } label class +
#   skytrax_air_travel/complaints.csv  Skytrax airline reviews     } strength
#   app_reviews_bug/complaints.csv     CLAP app reviews            }
# Symptoms map to the data sets' classes through rules/eval-classes.csv. Per (set,
# class): precision, recall and F1 over the rows labelled strong or medium; a false
# positive is a prediction of a class on a row labelled another class or
# not_complaint; rows labelled `other` or weak count neither way; a class is a cell
# with at least 30 such rows; macro-F1 over the cells (`causeway coverage --help`,
# "Label mode", and causeway(1) say how each number is counted). One table per set,
# then the macro-F1 pooled over every cell of every set.
#
# A last table scores every symptom on 20,000 rows of the sample-data generator
# (intended symptoms known; in-sample, see BENCHMARKS.md), through eval_score.
#
# RULES=path overrides the rule set (default rules/default.yaml), CLASSES=path the
# class map (rules/eval-classes.csv). EVAL_REPORTS=DIR also writes each set's full
# coverage report (Markdown: missed phrases, confusion, suggestions) into DIR.
# Absent sets are skipped with a note; exits 0 when DATA_DIR holds none of them.
set -euo pipefail

build=${1:?usage: eval.sh BUILD_DIR [DATA_DIR]}
data=${2:-../shared/data}
data=$(cd "$data" 2>/dev/null && pwd || echo "$data") # relative to the caller
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rules=${RULES:-rules/default.yaml}
classes=${CLASSES:-rules/eval-classes.csv}
bin="$build/causeway"
score="$build/tools/eval_score"
gen="$build/tools/gen_complaints"
for f in "$bin" "$score"; do
    [ -x "$f" ] || { echo "eval: $f is missing: run 'make' first" >&2; exit 70; }
done

tmp=$(mktemp -d /tmp/causeway-eval.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ -n "${EVAL_REPORTS:-}" ] && mkdir -p "$EVAL_REPORTS"

echo "Rule quality of $rules ($("$bin" --version 2>/dev/null || echo causeway)) on $data, $(date -u +%F)"
echo "Per class: rows labelled strong or medium; 'other' and weak labels not scored;"
echo "a cell is a class with >= 30 scored rows; classes through $classes."
"$bin" check "$rules" >/dev/null

common=(-i csv --min-strength medium --class-map "$classes" --min-support 30)
found=0

# score_set NAME FILE COVERAGE-ARGS...: one table, and the set's cells for the pooled line.
score_set() {
    local name=$1 file=$2
    shift 2
    if [ ! -f "$data/$file" ]; then
        echo
        echo "eval: $data/$file absent: $name skipped"
        return
    fi
    found=$((found + 1))
    local slug=${file%%/*}
    "$bin" -q coverage "$rules" "$data/$file" "${common[@]}" "$@" \
        --section summary --section labels -f csv >"$tmp/$slug.csv"
    if [ -n "${EVAL_REPORTS:-}" ]; then
        "$bin" -q coverage "$rules" "$data/$file" "${common[@]}" "$@" -f md \
            >"$EVAL_REPORTS/$slug.md"
    fi
    echo
    awk -F, -v name="$name" -v cells="$tmp/cells" '
        # Fields of causeway coverage -f csv are never quoted here except the input line.
        $1 == "summary" && $3 == "complaints" { n = $4 }
        $1 == "summary" && $3 == "uncategorised_share" { unc = $4 }
        $1 == "class" { v[$2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
        $1 == "labels" { l[$3] = $4 }
        END {
            printf "### %s: %d rows, %d scored, uncategorised %.1f %%\n\n", name, n, l["scored"], 100 * unc
            printf "| class | precision | recall | F1 | support | predicted | cell |\n"
            printf "|---|---:|---:|---:|---:|---:|---|\n"
            for (i = 1; i <= k; i++) {
                c = order[i]
                if (v[c, "support"] == 0) continue
                printf "| %s | %.3f | %.3f | %.3f | %d | %d | %s |\n", c, v[c, "precision"],
                    v[c, "recall"], v[c, "f1"], v[c, "support"], v[c, "predicted"], v[c, "cell"]
                if (v[c, "cell"] == "yes") printf "%s\t%s\t%s\n", name, c, v[c, "f1"] >> cells
            }
            printf "\nmacro-F1 %.3f over %d cells\n", l["macro_f1"], l["cells"]
        }' "$tmp/$slug.csv"
}

: >"$tmp/cells"
score_set "CFPB narratives" cfpb/complaints.csv \
    --id-column complaint_id --text-column narrative \
    --label-column symptom_class --strength-column label_strength
score_set "BANKING77 train" banking77/train.csv \
    --text-column text --label-column category \
    --label-map "$data/banking77/intent_to_symptom.csv" \
    --label-map-columns intent,symptom_class,label_strength
score_set "MAMS restaurants" mams_restaurants/complaints.csv \
    --id-column id --text-column text --label-column class --strength-column strength
score_set "Skytrax air travel" skytrax_air_travel/complaints.csv \
    --id-column id --text-column text --label-column class --strength-column strength
score_set "CLAP app reviews" app_reviews_bug/complaints.csv \
    --id-column id --text-column text --label-column class --strength-column strength

if [ "$found" -eq 0 ]; then
    echo "eval: no labelled data under '$data' (see its README.md): skipped"
else
    echo
    awk -F'\t' '{ sum += $3; n++ } END {
        if (n) printf "pooled macro-F1 %.3f over %d cells of all sets\n", sum / n, n
        else print "pooled macro-F1: no cell (no class with 30 scored rows)" }' "$tmp/cells"
fi

# The sample data of `make demo`: its intended symptoms are known exactly, but the
# default rules were written partly from the same retail phrasing (in-sample).
if [ -x "$gen" ]; then
    "$gen" --rows 20000 --seed 5 --format debug >"$tmp/gen.debug"
    "$gen" --rows 20000 --seed 5 --format csv >"$tmp/gen.csv"
    "$bin" classify -r "$rules" -i csv --text-column body "$tmp/gen.csv" >"$tmp/gen.pred"
    "$score" symptoms "$tmp/gen.debug" "$tmp/gen.pred"
fi
