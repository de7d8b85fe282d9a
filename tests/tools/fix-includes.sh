#!/usr/bin/env bash
# fix-includes.sh [FILE...] - rewrite each #include "causeway/NAME.h" that names no stage
# folder to the header's stage path, "causeway/STAGE/NAME.h", where exactly one
# include/causeway/STAGE/NAME.h exists. For a branch written before the headers moved into
# stage folders (src/README.md): merge it, run this, then `make check-layout`. The headers
# renamed on the way (stored.h, rank.h, score.h, weekly.h, analyse.h) go to their new names.
# Default FILE: every .c and .h git tracks. Prints each file it changes; an include whose
# header is in no stage folder is left as it is and named (exit 1).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
if [ $# -eq 0 ]; then
    mapfile -t files < <(git ls-files '*.c' '*.h')
else
    files=("$@")
fi

# Headers renamed when they moved (issue 18): the old name wins over a same-named new
# header ("causeway/score.h" was the label score, not analysis/score.h).
declare -A renamed=([analyse]=analysis/analyse_week [rank]=analysis/score
    [score]=corpus/label_score [stored]=analysis/ranking_store [weekly]=analysis/series)

status=0
for f in "${files[@]}"; do
    changed=0
    while IFS= read -r name; do
        if [ -n "${renamed[$name]:-}" ]; then
            sed -i "s|#include \"causeway/$name\.h\"|#include \"causeway/${renamed[$name]}.h\"|" "$f"
            changed=1
            continue
        fi
        matches=(include/causeway/*/"$name.h")
        if [ ${#matches[@]} -ne 1 ] || [ ! -e "${matches[0]}" ]; then
            echo "$f: causeway/$name.h is in no stage folder (or in several)" >&2
            status=1
            continue
        fi
        stage=$(basename "$(dirname "${matches[0]}")")
        sed -i "s|#include \"causeway/$name\.h\"|#include \"causeway/$stage/$name.h\"|" "$f"
        changed=1
    done < <(grep -o '#include "causeway/[A-Za-z0-9_]*\.h"' "$f" | sed 's|.*causeway/\(.*\)\.h"|\1|' | sort -u)
    [ "$changed" -eq 1 ] && echo "$f"
done
exit "$status"
