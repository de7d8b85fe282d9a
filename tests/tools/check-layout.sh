#!/usr/bin/env bash
# check-layout.sh [ROOT] - fail on an #include that goes the wrong way (`make check-layout`).
#
# The sources live in one folder per pipeline stage: src/STAGE/ and include/causeway/STAGE/.
# Each src/STAGE/README.md names the stages its files may include, on one line:
#     May include: store, rules, util
# (or "May include: nothing"). This script reads those lines, so the READMEs are the one
# place the layering is written, and checks every #include of every .c and .h file:
#   - "causeway/OTHER/x.h" only from the file's own stage or one its README allows;
#   - no "causeway/x.h" outside a stage folder, no source directly in src/;
#   - a private header ("x_internal.h") only from its own folder;
#   - <libpq-fe.h> only in store/, <cyaml/cyaml.h> only in rules/, <hs/hs.h> only in match/.
# Prints one line per violation (file:line: what, and what is allowed) and exits 1 when
# there is any, 0 otherwise. ROOT defaults to the repository this script is in.
set -uo pipefail

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
status=0
fail() { # FILE:LINE MESSAGE
    echo "$1: error: $2"
    status=1
}

declare -A allowed
stages=()
for dir in src/*/; do
    stage=$(basename "$dir")
    stages+=("$stage")
    readme="src/$stage/README.md"
    line=$(grep -m1 '^May include:' "$readme" 2>/dev/null)
    allowed[$stage]=" $stage "
    if [ -z "$line" ]; then
        fail "$readme:1" "no 'May include:' line naming the stages src/$stage/ may include"
        continue
    fi
    list=${line#May include:}
    list=${list//,/ }
    [ "$(echo $list)" = nothing ] && list=
    for dep in $list; do
        [ -d "src/$dep" ] || fail "$readme:1" "'May include:' names '$dep', which is no stage"
    done
    allowed[$stage]=" $stage $(echo $list) "
done

for f in src/*.c src/*.h include/causeway/*.h; do
    [ -e "$f" ] && fail "$f:1" "not in a stage folder (src/STAGE/, include/causeway/STAGE/)"
done

# The libraries each stage owns: the one stage that may include each header.
declare -A owner=([libpq-fe.h]=store [cyaml/cyaml.h]=rules [hs/hs.h]=match)

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*(["<])([^">]+)[">]'
public_re='^causeway/([^/]+)/[^/]+\.h$'

check_file() { # FILE STAGE
    local f=$1 stage=$2 n=0 line dep inc
    while IFS= read -r line; do
        n=$((n + 1))
        [[ "$line" =~ $include_re ]] || continue
        inc=${BASH_REMATCH[2]}
        if [ "${BASH_REMATCH[1]}" = "<" ]; then
            dep=${owner[$inc]:-}
            [ -n "$dep" ] && [ "$dep" != "$stage" ] &&
                fail "$f:$n" "<$inc> is included only in src/$dep/ (the $dep stage owns that library)"
            continue
        fi
        if [[ "$inc" =~ $public_re ]]; then
            dep=${BASH_REMATCH[1]}
            [[ "${allowed[$stage]:-}" == *" $dep "* ]] ||
                fail "$f:$n" "$stage includes $inc: src/$stage/README.md allows only$(printf ' %s' ${allowed[$stage]:-})"
        elif [[ "$inc" == causeway/* ]]; then
            fail "$f:$n" "$inc is in no stage folder (causeway/STAGE/name.h)"
        elif [[ "$inc" == *_internal.h ]]; then
            [[ "$inc" != */* && "$f" == src/* ]] && [ -e "$(dirname "$f")/$inc" ] ||
                fail "$f:$n" "$inc is private to another folder: include a stage's public header"
        fi
    done <"$f"
}

for stage in "${stages[@]}"; do
    for f in src/"$stage"/*.c src/"$stage"/*.h include/causeway/"$stage"/*.h; do
        [ -e "$f" ] && check_file "$f" "$stage"
    done
done
for dir in include/causeway/*/; do
    [ -d "src/$(basename "$dir")" ] || fail "${dir%/}:1" "header folder without a src/ stage of that name"
done

[ "$status" -eq 0 ] && echo "check-layout: ok (${#stages[@]} stages, every include goes down)"
exit "$status"
