/*
 * fuzz_matcher.c - libFuzzer harness over the matcher (`make fuzz-matcher`).
 *
 * Arbitrary bytes are classified with a fixed rule set that uses every feature
 * (phrases, wildcards, terms, regexes, near, negation, all, unless, where). Any input
 * must classify without a crash, hang or sanitizer report, and the hits must
 * keep the contract of matcher.h: sorted by symptom, at most one each, spans
 * inside the body, the same on a second pass. Seeds: tests/data/matcher and
 * tests/fuzz/corpus/matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_yaml[] =
    "version: 1\n"
    "terms:\n"
    "  staff: [staff, \"agent*\", cashier, \"the rep\", \"caf\xc3\xa9 owner\"]\n"
    "  late: [late, delayed, \"took forever\"]\n"
    "cause_areas:\n"
    "  - {id: process, name: Process}\n"
    "  - {id: skills, name: Skills}\n"
    "symptoms:\n"
    "  - id: mixup\n"
    "    name: Mix-up\n"
    "    severity: 3\n"
    "    match:\n"
    "      any: [\"wrong order\", \"missing item*\", \"someone else's order\"]\n"
    "      regex: ['\\bwrong (size|colou?r)\\b', '[0-9]{3,}x']\n"
    "      unless: [\"no problem\"]\n"
    "    causes: [{area: process, weight: 0.6}, {area: skills, weight: 0.4}]\n"
    "  - id: rude\n"
    "    name: Rude\n"
    "    severity: 3\n"
    "    match: {any: [rude, \"rude {staff}\", \"{staff} yelled\", \"\xc3\xa9tait impoli\"]}\n"
    "    causes: [{area: skills, weight: 1}]\n"
    "  - id: delay\n"
    "    name: Delay\n"
    "    severity: 2\n"
    "    where: {channel: [app]}\n"
    "    match: {any: [\"{late} deliver*\"], all: [order], negation: false}\n"
    "    causes: [{area: process, weight: 1}]\n"
    "  - id: shouted\n"
    "    name: Shouted\n"
    "    severity: 2\n"
    "    match:\n"
    "      near:\n"
    "        - {first: \"{staff}\", then: \"shout*\", within: 3}\n"
    "        - {first: \"$\", then: \"fee*\", within: 0}\n"
    "      unless: [\"no problem\"]\n"
    "    causes: [{area: skills, weight: 1}]\n";

typedef struct state {
    cw_rules *rules;
    cw_matcher *m;
    cw_scan *scan;
} state;

/* Built once per process: the harness measures classification, not compilation. */
static state *get_state(void)
{
    static state st;
    if (st.scan == NULL) {
        cw_error err;
        cw_error_clear(&err);
        if (cw_rules_parse(&st.rules, "fuzz.yaml", rules_yaml, sizeof(rules_yaml) - 1, NULL,
                           &err) != 0 ||
            cw_matcher_new(&st.m, st.rules, &err) != 0 || cw_scan_new(&st.scan, st.m, &err) != 0)
            abort();
    }
    return &st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    state *st = get_state();
    cw_complaint c = {.id = "fuzz", .body = (const char *)data, .body_len = size};
    c.fields[CW_FIELD_CHANNEL] = size % 2 ? "APP" : NULL;
    const cw_hit *hits = NULL;
    size_t count = 0;
    cw_error err;
    cw_error_clear(&err);
    if (cw_matcher_classify(&hits, &count, st->scan, &c, &err) != 0)
        abort();
    if (count > st->rules->symptom_count)
        abort();
    cw_hit first[8];
    for (size_t i = 0; i < count; i++) {
        if (hits[i].symptom >= st->rules->symptom_count || hits[i].start >= hits[i].end ||
            hits[i].end > size || (i > 0 && hits[i - 1].symptom >= hits[i].symptom))
            abort();
        first[i] = hits[i];
    }
    size_t again = 0;
    if (cw_matcher_classify(&hits, &again, st->scan, &c, &err) != 0 || again != count ||
        (count > 0 && memcmp(first, hits, count * sizeof(*hits)) != 0))
        abort();
    return 0;
}
