/*
 * test_rules.c - the rule-set loader: a full valid file loads with the right
 * values and positions; every row of the rule-file fault matrix is refused
 * with its exact file:line:col, message and exit code; hostile inputs (alias
 * bomb, deep nesting, huge files, /dev/zero, FIFOs, bad bytes) are refused fast.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "causeway/util/embed.h"
#include "causeway/rules/rules.h"
#include "support.h"

#define DATA "tests/data/rules/"

typedef struct loaded {
    int rc;
    cw_rules *rules;
    cw_error err;
    char *diag; /* everything written to the diagnostics stream */
    size_t diag_len;
} loaded;

static void load_file(loaded *l, const char *path)
{
    memset(l, 0, sizeof(*l));
    cw_error_clear(&l->err);
    FILE *diag = open_memstream(&l->diag, &l->diag_len);
    cr_assert_not_null(diag);
    l->rc = cw_rules_load(&l->rules, path, diag, &l->err);
    fclose(diag);
}

static void load_mem(loaded *l, const char *name, const char *data, size_t len)
{
    memset(l, 0, sizeof(*l));
    cw_error_clear(&l->err);
    FILE *diag = open_memstream(&l->diag, &l->diag_len);
    cr_assert_not_null(diag);
    l->rc = cw_rules_parse(&l->rules, name, data, len, diag, &l->err);
    fclose(diag);
}

static void loaded_fini(loaded *l)
{
    cw_rules_free(l->rules);
    free(l->diag);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The diagnostics hold the line `file:line:col: error: ...fragment...`. */
static void assert_diag_line(const loaded *l, const char *file, unsigned line, unsigned col,
                             const char *fragment)
{
    char prefix[512];
    snprintf(prefix, sizeof(prefix), "%s:%u:%u: error: ", file, line, col);
    const char *p = l->diag;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
        char buf[1024];
        snprintf(buf, sizeof(buf), "%.*s", (int)(n < 1023 ? n : 1023), p);
        if (strncmp(buf, prefix, strlen(prefix)) == 0 && strstr(buf, fragment) != NULL)
            return;
        p = eol != NULL ? eol + 1 : NULL;
    }
    cr_assert_fail("no diagnostic '%s...%s' in:\n%s", prefix, fragment, l->diag);
}

/* Load fixture `file`: refused with exit 65, first error at line:col containing fragment. */
static void expect_error(const char *file, unsigned line, unsigned col, const char *fragment)
{
    char path[256];
    snprintf(path, sizeof(path), DATA "%s", file);
    loaded l;
    load_file(&l, path);
    cr_assert_eq(l.rc, -1, "%s loaded", path);
    cr_assert_null(l.rules);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR, "code %d: %s", l.err.code, l.err.message);
    cr_assert_str_eq(l.err.file, path);
    cr_assert_eq(l.err.line, line, "line %u, want %u: %s", l.err.line, line, l.err.message);
    cr_assert_eq(l.err.column, col, "column %u, want %u: %s", l.err.column, col, l.err.message);
    cr_assert(strstr(l.err.message, fragment) != NULL, "message '%s' lacks '%s'", l.err.message,
              fragment);
    assert_diag_line(&l, path, line, col, fragment);
    loaded_fini(&l);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += *s == '\n';
    return n;
}

/* An error expected on one line of a file's diagnostics. */
typedef struct want_error {
    unsigned line, col;
    const char *fragment;
} want_error;

/* Loading `file` (under DATA) reports exactly these errors, each on its own line. */
static void expect_errors(const char *file, const want_error *want, size_t n)
{
    char path[256];
    snprintf(path, sizeof(path), DATA "%s", file);
    loaded l;
    load_file(&l, path);
    for (size_t i = 0; i < n; i++)
        assert_diag_line(&l, path, want[i].line, want[i].col, want[i].fragment);
    cr_assert_eq(count_lines(l.diag), n, "%s", l.diag);
    loaded_fini(&l);
}

/* ---- a valid file -------------------------------------------------------- */

Test(rules, loads_full_example_with_every_value)
{
    loaded l;
    load_file(&l, DATA "valid_full.yaml");
    cr_assert_eq(l.rc, 0, "%s", l.diag);
    cr_assert_eq(l.diag_len, 0, "diagnostics on success: %s", l.diag);
    const cw_rules *r = l.rules;
    cr_assert_str_eq(r->path, DATA "valid_full.yaml");
    cr_assert_eq(r->version, 1);

    cr_assert_eq(r->area_count, 2);
    cr_assert_str_eq(r->areas[0].id, "process");
    cr_assert_str_eq(r->areas[0].name, "Process friendliness");
    cr_assert_str_eq(r->areas[0].owner, "Operations");
    cr_assert_str_eq(r->areas[0].remediation, "Map the order hand-off and add a pick-list check");
    cr_assert_eq(r->areas[0].pos.line, 7);
    cr_assert_eq(r->areas[0].pos.column, 5);
    cr_assert_str_eq(r->areas[1].owner, "", "owner defaults to empty");
    cr_assert_str_eq(r->areas[1].remediation, "");

    cr_assert_eq(r->symptom_count, 2);
    const cw_symptom *s = &r->symptoms[0];
    cr_assert_str_eq(s->id, "order_mixup");
    cr_assert_str_eq(s->name, "Order mix-up");
    cr_assert_eq(s->severity, 3);
    cr_assert_eq(s->status, CW_STATUS_STABLE);
    cr_assert_eq(s->pos.line, 14);
    cr_assert_eq(s->pos.column, 5);
    cr_assert_eq(s->where_count, 1);
    cr_assert_eq(s->where[0].field, CW_FIELD_CHANNEL);
    cr_assert_eq(s->where[0].count, 2);
    cr_assert_str_eq(s->where[0].values[0], "app");
    cr_assert_str_eq(s->where[0].values[1], "web");
    cr_assert_eq(s->where[0].pos.line, 18);
    cr_assert_eq(s->where[0].pos.column, 14);

    cr_assert_eq(s->match.any.count, 4);
    cr_assert_str_eq(s->match.any.items[2].text, "someone else's order");
    cr_assert_str_eq(s->match.any.items[3].text, "rude {staff}", "term refs stay unexpanded");
    cr_assert_eq(s->match.any.items[0].pos.line, 20);
    cr_assert_eq(s->match.any.items[0].pos.column, 16);
    cr_assert_eq(s->match.regex.count, 1);
    cr_assert_str_eq(s->match.regex.items[0].text, "\\bwrong (size|colou?r|item)\\b");
    cr_assert_eq(s->match.regex.items[0].pos.line, 21);
    cr_assert_eq(s->match.all.count, 0);
    cr_assert_eq(s->match.unless.count, 1);
    cr_assert_str_eq(s->match.unless.items[0].text, "no problem with my order");
    cr_assert(s->match.negation);

    cr_assert_eq(s->cause_count, 2);
    cr_assert_eq(s->causes[0].area, 0);
    cr_assert_eq(s->causes[1].area, 1);
    cr_assert_float_eq(s->causes[0].weight, 0.6, 1e-12);
    cr_assert_float_eq(s->causes[1].weight, 0.4, 1e-12);
    cr_assert_eq(s->examples_match.count, 1);
    cr_assert_str_eq(s->examples_match.items[0].text, "They gave me someone else's order again");
    cr_assert_eq(s->examples_no_match.count, 1);
    cr_assert_eq(s->examples_no_match.items[0].pos.line, 30);

    const cw_symptom *d = &r->symptoms[1];
    cr_assert_eq(d->status, CW_STATUS_DEPRECATED);
    cr_assert_eq(d->severity, 2);
    cr_assert_not(d->match.negation, "negation: false");
    cr_assert_eq(d->where_count, 2);
    cr_assert_eq(d->where[0].field, CW_FIELD_SITE);
    cr_assert_eq(d->where[1].field, CW_FIELD_SEGMENT);
    cr_assert_str_eq(d->where[1].values[0], "retail");
    cr_assert_eq(d->cause_count, 1);
    cr_assert_float_eq(d->causes[0].weight, 1.0, 1e-12);
    cr_assert_eq(d->examples_match.count, 0);
    cr_assert_eq(d->match.near_count, 1);
    cr_assert_str_eq(d->match.near[0].first.text, "{late} ", "phrases stay as written");
    cr_assert_str_eq(d->match.near[0].then.text, "deliver*");
    cr_assert_eq(d->match.near[0].within, 3);
    cr_assert_eq(d->match.near[0].pos.line, 41);
    cr_assert_eq(d->match.near[0].pos.column, 11);
    cr_assert_eq(d->match.near[0].then.pos.line, 41);
    cr_assert_eq(d->match.near[0].then.pos.column, 37);
    cr_assert_eq(s->match.near_count, 0, "near defaults to none");

    cr_assert_eq(r->term_count, 2);
    const cw_term_list *staff = cw_rules_find_terms(r, "staff");
    cr_assert_not_null(staff);
    cr_assert_eq(staff->phrases.count, 6);
    cr_assert_str_eq(staff->phrases.items[1].text, "agent*");
    cr_assert_eq(staff->pos.line, 4);
    cr_assert_eq(staff->pos.column, 3);
    cr_assert_eq(staff->phrases.items[0].pos.line, 4);
    cr_assert_eq(staff->phrases.items[0].pos.column, 11);

    size_t len = 0;
    char *bytes = cw_test_read_file(DATA "valid_full.yaml", &len);
    cr_assert_eq(r->source_len, len);
    cr_assert_eq(memcmp(r->source, bytes, len), 0);
    cr_assert_eq(r->source[len], '\0');
    free(bytes);
    loaded_fini(&l);
}

Test(rules, find_functions_look_up_ids_and_return_minus_one_when_unknown)
{
    loaded l;
    load_file(&l, DATA "valid_full.yaml");
    cr_assert_eq(l.rc, 0, "%s", l.diag);
    cr_assert_eq(cw_rules_find_area(l.rules, "skills"), 1);
    cr_assert_eq(cw_rules_find_area(l.rules, "nope"), -1);
    cr_assert_eq(cw_rules_find_symptom(l.rules, "slow_delivery"), 1);
    cr_assert_eq(cw_rules_find_symptom(l.rules, "process"), -1);
    cr_assert_null(cw_rules_find_terms(l.rules, "missing"));
    cr_assert_not_null(cw_rules_find_terms(l.rules, "late"));
    loaded_fini(&l);
}

Test(rules, field_names_round_trip)
{
    for (int f = 0; f < CW_FIELD_COUNT; f++)
        cr_assert_eq(cw_field_parse(cw_field_name((cw_field)f)), f);
    cr_assert_str_eq(cw_field_name(CW_FIELD_SITE), "site");
    cr_assert_eq(cw_field_parse("store"), -1);
}

Test(rules, parse_from_memory_names_the_buffer_and_accepts_null_diag)
{
    const char *yaml = "version: 1\ncause_areas: [{id: a, name: A}]\n"
                       "symptoms: [{id: s, name: S, severity: 5, match: {regex: ['x+']},"
                       " causes: [{area: a, weight: .5}, ]}]\n";
    cw_rules *r = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_rules_parse(&r, "inline", yaml, strlen(yaml), NULL, &err), -1);
    cr_assert_null(r);
    cr_assert_str_eq(err.file, "inline");
    cr_assert(strstr(err.message, "sum to 0.5") != NULL, "%s", err.message);
    cr_assert_eq(err.line, 3);
}

Test(rules, free_null_is_a_no_op)
{
    cw_rules_free(NULL);
    cr_assert(true);
}

/* ---- structure: unknown keys, kinds, required keys ----------------------- */

Test(rules, rejects_unknown_key_with_suggestion)
{
    expect_error("unknown_key.yaml", 12, 26,
                 "unknown key 'weigth' in a cause (did you mean 'weight'?)");
}

Test(rules, rejects_unknown_where_field_with_suggestion)
{
    expect_error("where_bad.yaml", 9, 14,
                 "unknown key 'chanel' in 'where' (did you mean 'channel'?)");
}

Test(rules, rejects_wrong_kind_in_a_symptom)
{
    expect_error("wrong_kind.yaml", 8, 15, "'severity' must be a single value, not a list");
}

Test(rules, rejects_wrong_kind_at_top_level)
{
    expect_error("wrong_kind_top.yaml", 2, 14, "'cause_areas' must be a list, not a single value");
}

Test(rules, rejects_wrong_kind_of_a_list_entry)
{
    expect_error("wrong_kind_entry.yaml", 10, 21, "each entry of 'any' must be a single value");
}

Test(rules, rejects_empty_value_where_a_mapping_is_required)
{
    expect_error("wrong_kind_empty.yaml", 9, 11, "'match' must be a mapping, not empty");
}

Test(rules, rejects_term_list_that_is_not_a_list)
{
    expect_error("wrong_kind_terms.yaml", 3, 10, "term list 'staff' must be a non-empty list");
}

Test(rules, rejects_top_level_that_is_not_a_mapping)
{
    loaded l;
    load_mem(&l, "list.yaml", "- version: 1\n", 13);
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 1);
    cr_assert(strstr(l.err.message, "top level of a rule file must be a mapping") != NULL);
    loaded_fini(&l);
}

Test(rules, reports_every_missing_required_key)
{
    expect_error("missing_required.yaml", 3, 5,
                 "cause area 'process' is missing required key 'name'");
    loaded l;
    load_file(&l, DATA "missing_required.yaml");
    assert_diag_line(&l, DATA "missing_required.yaml", 5, 5, "missing required key 'severity'");
    assert_diag_line(&l, DATA "missing_required.yaml", 5, 5, "missing required key 'causes'");
    cr_assert_eq(count_lines(l.diag), 3, "%s", l.diag);
    loaded_fini(&l);
}

Test(rules, reports_missing_top_level_keys)
{
    expect_error("missing_top.yaml", 1, 1, "missing required key 'version'");
    loaded l;
    load_file(&l, DATA "missing_top.yaml");
    assert_diag_line(&l, DATA "missing_top.yaml", 1, 1, "missing required key 'symptoms'");
    loaded_fini(&l);
}

Test(rules, requires_an_any_regex_or_near_entry)
{
    expect_error("no_match_entry.yaml", 10, 7, "needs at least one 'any', 'regex' or 'near' entry");
}

/* ---- near ---------------------------------------------------------------- */

Test(rules, rejects_every_bad_near_entry_in_one_pass)
{
    static const want_error want[] = {
        {13, 57, "within must be a whole number from 0 to 10, not '1e3'"},
        {14, 57, "not '0x5'"},
        {15, 57, "not '05'"},
        {16, 57, "not '5abc'"},
        {17, 57, "within must be a plain number from 0 to 10, not a quoted string"},
        {18, 57, "within 11 is out of range: at most 10 words"},
        {19, 20, "empty phrase"},
        {19, 30, "unknown term list '{paymnt}' (did you mean 'payment'?)"},
        {20, 11, "'near' entry is missing required key 'then'"},
        {21, 11, "'near' entry is missing required key 'first'"},
        {22, 11, "'near' entry is missing required key 'within'"},
    };
    expect_error("near_bad.yaml", 13, 57, "within must be a whole number from 0 to 10");
    expect_errors("near_bad.yaml", want, sizeof(want) / sizeof(want[0]));
}

Test(rules, rejects_an_unknown_key_in_a_near_entry_with_suggestion)
{
    expect_error("near_unknown_key.yaml", 11, 43,
                 "unknown key 'whithin' in a 'near' entry (did you mean 'within'?)");
}

Test(rules, rejects_a_near_entry_that_is_not_a_mapping)
{
    expect_error("near_wrong_kind.yaml", 10, 14,
                 "each entry of 'near' must be a mapping, not a single value");
}

Test(rules, accepts_near_as_the_only_match_entry_and_within_from_0_to_10)
{
    const char *yaml = "version: 1\n"
                       "cause_areas: [{id: a, name: A}]\n"
                       "symptoms:\n"
                       "  - id: s\n"
                       "    name: S\n"
                       "    severity: 1\n"
                       "    match:\n"
                       "      near:\n"
                       "        - {first: payment, then: failed, within: 0}\n"
                       "        - {first: 'card*', then: \"didn't work\", within: 10}\n"
                       "    causes: [{area: a, weight: 1}]\n";
    loaded l;
    load_mem(&l, "near.yaml", yaml, strlen(yaml));
    cr_assert_eq(l.rc, 0, "%s", l.diag);
    const cw_match_spec *m = &l.rules->symptoms[0].match;
    cr_assert_eq(m->any.count + m->regex.count, 0);
    cr_assert_eq(m->near_count, 2);
    cr_assert_eq(m->near[0].within, 0);
    cr_assert_eq(m->near[1].within, 10);
    cr_assert_str_eq(m->near[1].then.text, "didn't work");
    loaded_fini(&l);
}

/* ---- numbers ------------------------------------------------------------- */

Test(rules, rejects_lax_numbers_that_libcyaml_would_accept)
{
    static const want_error want[] = {
        {8, 15, "not '1e3'"},
        {13, 15, "not '0x10'"},
        {18, 15, "not '010'"},
        {23, 15, "not '12abc'"},
        {25, 39, "weight must be a plain decimal number such as 0.6, not '1e0'"},
        {28, 15, "not a quoted string"},
        {30, 39, "not '0x1'"},
    };
    expect_error("lax_numbers.yaml", 8, 15,
                 "severity must be a whole number from 1 to 5, not '1e3'");
    expect_errors("lax_numbers.yaml", want, sizeof(want) / sizeof(want[0]));
}

Test(rules, rejects_a_version_other_than_plain_1)
{
    expect_error("lax_version.yaml", 1, 10, "unsupported version 1.0");
}

Test(rules, rejects_weights_out_of_range)
{
    expect_error("weight_range.yaml", 13, 34, "weight 1.5 is out of range");
    loaded l;
    load_file(&l, DATA "weight_range.yaml");
    assert_diag_line(&l, DATA "weight_range.yaml", 14, 33, "weight 0 is out of range");
    cr_assert_eq(count_lines(l.diag), 2, "no sum error on top of range errors: %s", l.diag);
    loaded_fini(&l);
}

Test(rules, rejects_weights_that_do_not_sum_to_one)
{
    expect_error("weight_sum.yaml", 13, 7,
                 "weights of symptom 'late' sum to 0.9; they must sum to 1");
}

Test(rules, accepts_weights_summing_to_one_within_rounding)
{
    const char *yaml = "version: 1\ncause_areas: [{id: a, name: A}, {id: b, name: B}, "
                       "{id: c, name: C}]\nsymptoms: [{id: s, name: S, severity: 1, "
                       "match: {any: [x]}, causes: [{area: a, weight: 0.1}, "
                       "{area: b, weight: 0.2}, {area: c, weight: 0.7}]}]\n";
    loaded l;
    load_mem(&l, "sum.yaml", yaml, strlen(yaml));
    cr_assert_eq(l.rc, 0, "%s", l.diag);
    loaded_fini(&l);
}

/* ---- duplicates and references ------------------------------------------- */

Test(rules, rejects_duplicate_yaml_keys)
{
    expect_error("duplicate_key.yaml", 9, 5, "duplicate key 'severity' (first at line 8)");
}

Test(rules, rejects_duplicate_term_list_names)
{
    expect_error("duplicate_term.yaml", 4, 3, "duplicate key 'staff' (first at line 3)");
}

Test(rules, rejects_duplicate_ids_of_areas_and_symptoms)
{
    expect_error("duplicate_id.yaml", 5, 9,
                 "duplicate cause area id 'process' (first defined at line 3)");
    loaded l;
    load_file(&l, DATA "duplicate_id.yaml");
    assert_diag_line(&l, DATA "duplicate_id.yaml", 13, 9,
                     "duplicate symptom id 'late' (first defined at line 8)");
    loaded_fini(&l);
}

Test(rules, rejects_unknown_cause_area_with_closest_id)
{
    expect_error("unknown_area.yaml", 13, 17,
                 "unknown cause area 'proces' (did you mean 'process'?)");
}

Test(rules, rejects_a_cause_area_listed_twice_in_one_symptom)
{
    expect_error("duplicate_cause.yaml", 12, 17,
                 "cause area 'process' is listed twice in symptom 'late'");
}

Test(rules, rejects_bad_phrases_and_term_references)
{
    static const want_error want[] = {
        {3, 19, "term lists cannot use term references ('{late}')"},
        {12, 13, "unknown term list '{staf}' (did you mean 'staff'?)"},
        {12, 28, "'*' in phrase 'wai*ted' must end a word"},
        {12, 39, "empty phrase"},
        {12, 43, "'*' in phrase '*late' must end a word"},
        {13, 15, "empty regex"},
        {14, 16, "unterminated term reference"},
    };
    expect_error("phrases.yaml", 3, 19, "term lists cannot use term references");
    expect_errors("phrases.yaml", want, sizeof(want) / sizeof(want[0]));
}

Test(rules, rejects_a_phrase_over_the_length_cap)
{
    size_t n = CW_RULES_MAX_PATTERN_BYTES + 1;
    char *yaml = malloc(n + 512);
    int off = sprintf(yaml, "version: 1\ncause_areas: [{id: a, name: A}]\nsymptoms:\n"
                            "  - {id: s, name: S, severity: 1, causes: [{area: a, weight: 1}],\n"
                            "     match: {any: [");
    memset(yaml + off, 'a', n);
    strcpy(yaml + off + n, "]}}\n");
    loaded l;
    load_mem(&l, "long.yaml", yaml, strlen(yaml));
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 5);
    cr_assert_eq(l.err.column, 20);
    cr_assert(strstr(l.err.message, "longer than 1024 bytes") != NULL, "%s", l.err.message);
    loaded_fini(&l);
    free(yaml);
}

Test(rules, rejects_empty_where_lists_and_values)
{
    expect_error("where_empty.yaml", 9, 23, "'where: channel' must list at least one value");
    loaded l;
    load_file(&l, DATA "where_empty.yaml");
    assert_diag_line(&l, DATA "where_empty.yaml", 9, 34, "empty value in 'where: site'");
    loaded_fini(&l);
}

Test(rules, reports_all_errors_of_a_file_in_file_order)
{
    loaded l;
    load_file(&l, DATA "multiple_errors.yaml");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    const char *want = DATA "multiple_errors.yaml:3:9: error: invalid cause area id 'Process'";
    cr_assert(strncmp(l.diag, want, strlen(want)) == 0, "first line: %s", l.diag);
    cr_assert_eq(l.err.line, 3, "err holds the first error");
    cr_assert_eq(l.err.column, 9);
    const char *order[] = {
        ":3:9:", ":6:11:", ":10:15:", ":11:13:", ":12:39:", ":14:17:", ":20:13:"};
    const char *p = l.diag;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *hit = strstr(p, order[i]);
        cr_assert_not_null(hit, "%s missing or out of order in:\n%s", order[i], l.diag);
        p = hit;
    }
    cr_assert_eq(count_lines(l.diag), 7, "%s", l.diag);
    assert_diag_line(&l, DATA "multiple_errors.yaml", 11, 13, "did you mean 'stable'?");
    assert_diag_line(&l, DATA "multiple_errors.yaml", 12, 39, "negation must be true or false");
    assert_diag_line(&l, DATA "multiple_errors.yaml", 14, 17, "did you mean 'skills'?");
    loaded_fini(&l);
}

/* ---- YAML features the language refuses ---------------------------------- */

Test(rules, rejects_an_empty_file)
{
    expect_error("empty.yaml", 1, 1, "rule file is empty");
}

Test(rules, rejects_a_comment_only_file)
{
    expect_error("comment_only.yaml", 1, 1, "rule file is empty");
}

Test(rules, rejects_a_second_yaml_document)
{
    expect_error("second_document.yaml", 11, 1, "a second YAML document");
}

Test(rules, rejects_aliases)
{
    expect_error("alias.yaml", 12, 11, "YAML aliases (*name) are not allowed");
}

Test(rules, rejects_tags)
{
    const char *yaml = "version: !!int 1\n";
    loaded l;
    load_mem(&l, "tag.yaml", yaml, strlen(yaml));
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 1);
    cr_assert_eq(l.err.column, 10);
    cr_assert(strstr(l.err.message, "tags") != NULL, "%s", l.err.message);
    loaded_fini(&l);
}

Test(rules, rejects_alias_bomb_fast_with_small_memory)
{
    struct stat st;
    cr_assert_eq(stat(DATA "alias_bomb.yaml", &st), 0);
    cr_assert_lt(st.st_size, 600, "the bomb is a small file");
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    double t0 = now_seconds();
    expect_error("alias_bomb.yaml", 2, 4, "YAML anchors (&name) are not allowed");
    double elapsed = now_seconds() - t0;
    getrusage(RUSAGE_SELF, &after);
    cr_assert_lt(elapsed, 0.5, "took %.3f s", elapsed);
    cr_assert_lt(after.ru_maxrss - before.ru_maxrss, 32 * 1024, "peak RSS grew by %ld KiB",
                 after.ru_maxrss - before.ru_maxrss);
}

Test(rules, reports_yaml_syntax_errors_with_position)
{
    expect_error("syntax_error.yaml", 6, 1, "invalid YAML: found unexpected end of stream");
}

Test(rules, rejects_40000_deep_nesting_quickly, .timeout = 10)
{
    size_t depth = 40000;
    size_t len = 14 + 2 * depth + 1;
    char *yaml = malloc(len + 1);
    memcpy(yaml, "version: 1\nx: ", 14);
    memset(yaml + 14, '[', depth);
    memset(yaml + 14 + depth, ']', depth);
    yaml[len - 1] = '\n';
    yaml[len] = '\0';
    char *path = cw_test_write_temp(yaml, len);
    double t0 = now_seconds();
    loaded l;
    load_file(&l, path);
    double elapsed = now_seconds() - t0;
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 19);
    cr_assert(strstr(l.err.message, "nesting deeper than 16 levels") != NULL, "%s", l.err.message);
    cr_assert_lt(elapsed, 0.5, "took %.3f s", elapsed);
    loaded_fini(&l);
    unlink(path);
    free(path);
    free(yaml);
}

/* ---- files and bytes ----------------------------------------------------- */

Test(rules, rejects_a_file_over_the_size_cap)
{
    size_t len = CW_RULES_MAX_FILE_BYTES + 1;
    char *text = malloc(len);
    memset(text, '#', len);
    char *path = cw_test_write_temp(text, len);
    loaded l;
    load_file(&l, path);
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert(strstr(l.err.message, "rule file is too large (4194305 bytes") != NULL, "%s",
              l.err.message);
    cr_assert(strstr(l.diag, "error: rule file is too large") != NULL, "%s", l.diag);
    loaded_fini(&l);
    load_mem(&l, "big", text, len);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR, "the in-memory parser has the same cap");
    loaded_fini(&l);
    unlink(path);
    free(path);
    free(text);
}

Test(rules, rejects_dev_zero_quickly, .timeout = 10)
{
    double t0 = now_seconds();
    loaded l;
    load_file(&l, "/dev/zero");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert(strstr(l.err.message, "not a regular file") != NULL, "%s", l.err.message);
    cr_assert_lt(now_seconds() - t0, 0.5);
    loaded_fini(&l);
}

Test(rules, rejects_a_fifo_without_waiting_for_a_writer, .timeout = 10)
{
    char path[128];
    cw_test_unique_name(path, sizeof(path), "/tmp/causeway-rules-fifo");
    cr_assert_eq(mkfifo(path, 0600), 0);
    double t0 = now_seconds();
    loaded l;
    load_file(&l, path);
    unlink(path);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert(strstr(l.err.message, "not a regular file") != NULL, "%s", l.err.message);
    cr_assert_lt(now_seconds() - t0, 0.5);
    loaded_fini(&l);
}

Test(rules, missing_file_is_exit_66)
{
    loaded l;
    load_file(&l, DATA "does_not_exist.yaml");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_NOINPUT);
    cr_assert_str_eq(l.err.file, DATA "does_not_exist.yaml");
    cr_assert(strstr(l.diag, "does_not_exist.yaml: error: cannot open rule file: No such file") !=
                  NULL,
              "%s", l.diag);
    loaded_fini(&l);
}

Test(rules, directory_is_exit_66)
{
    loaded l;
    load_file(&l, DATA);
    cr_assert_eq(l.err.code, CW_EXIT_NOINPUT);
    cr_assert(strstr(l.err.message, "is a directory") != NULL, "%s", l.err.message);
    loaded_fini(&l);
}

Test(rules, stdin_dash_is_a_usage_error)
{
    loaded l;
    load_file(&l, "-");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_USAGE);
    loaded_fini(&l);
}

Test(rules, rejects_invalid_utf8_at_the_first_bad_byte)
{
    const char yaml[] = "version: 1\nname: caf\xc3\xa9 \xc3\x28\n";
    loaded l;
    load_mem(&l, "utf8.yaml", yaml, sizeof(yaml) - 1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 12, "columns count characters, not bytes");
    cr_assert(strstr(l.err.message, "invalid UTF-8 byte 0xC3") != NULL, "%s", l.err.message);
    assert_diag_line(&l, "utf8.yaml", 2, 12, "invalid UTF-8");
    loaded_fini(&l);

    const char overlong[] = "version: 1\n\xc0\xaf: x\n";
    load_mem(&l, "overlong.yaml", overlong, sizeof(overlong) - 1);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 1);
    cr_assert(strstr(l.err.message, "invalid UTF-8 byte 0xC0") != NULL, "%s", l.err.message);
    loaded_fini(&l);
}

Test(rules, rejects_a_nul_byte_in_a_file)
{
    const char yaml[] = "version: 1\nab\0c: 1\n";
    char *path = cw_test_write_temp(yaml, sizeof(yaml) - 1);
    loaded l;
    load_file(&l, path);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 3);
    cr_assert(strstr(l.err.message, "NUL byte") != NULL, "%s", l.err.message);
    loaded_fini(&l);
    unlink(path);
    free(path);
}

Test(rules, rejects_an_escaped_nul_inside_a_string)
{
    const char yaml[] = "version: 1\nname: \"a\\0b\"\n";
    loaded l;
    load_mem(&l, "esc.yaml", yaml, sizeof(yaml) - 1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 7);
    cr_assert(strstr(l.err.message, "NUL character") != NULL, "%s", l.err.message);
    loaded_fini(&l);
}

Test(rules, rejects_control_characters)
{
    const char yaml[] = "version: 1\nname: a\x1b[31m\n";
    loaded l;
    load_mem(&l, "ctl.yaml", yaml, sizeof(yaml) - 1);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(l.err.line, 2);
    cr_assert_eq(l.err.column, 8);
    cr_assert(strstr(l.err.message, "control character U+001B") != NULL, "%s", l.err.message);
    loaded_fini(&l);
}

/* ---- default rule set and allocation failures ---------------------------- */

Test(rules, default_rule_set_loads_or_says_it_was_not_built_in)
{
    cw_rules *r = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = cw_rules_load_default(&r, NULL, &err);
    if (cw_embedded_rules_count == 0) {
        cr_assert_eq(rc, -1);
        cr_assert_eq(err.code, CW_EXIT_SOFTWARE);
        cr_assert(strstr(err.message, "without a default rule set") != NULL, "%s", err.message);
        cr_assert_null(r);
    } else {
        cr_assert_eq(rc, 0, "%s:%u:%u: %s", err.file, err.line, err.column, err.message);
        cr_assert_str_eq(r->path, "rules/default.yaml");
        cr_assert_gt(r->symptom_count, 0);
        cw_rules_free(r);
    }
}

/*
 * Fail every allocation in turn (CW_FAULT_RULES_ALLOC=N, test builds only):
 * each attempt ends in exit 71 or, once N is past the last allocation, the
 * normal result. Leaks on any path fail the run (LeakSanitizer).
 */
static void fail_each_allocation(const char *path, int final_code)
{
#ifdef CW_FAULT_HOOKS
    int oom_seen = 0;
    for (unsigned long n = 1; n < 100000; n++) {
        char value[32];
        snprintf(value, sizeof(value), "%lu", n);
        setenv("CW_FAULT_RULES_ALLOC", value, 1);
        loaded l;
        load_file(&l, path);
        int code = l.err.code;
        if (code == CW_EXIT_OSERR) {
            cr_assert_eq(l.rc, -1);
            cr_assert_null(l.rules);
            cr_assert(strstr(l.diag, "out of memory") != NULL, "n=%lu: %s", n, l.diag);
            oom_seen++;
        }
        loaded_fini(&l);
        if (code != CW_EXIT_OSERR) {
            cr_assert_eq(code, final_code, "n=%lu: code %d: %s", n, code, l.err.message);
            cr_assert_gt(oom_seen, 10, "allocations were failed");
            unsetenv("CW_FAULT_RULES_ALLOC");
            return;
        }
    }
    cr_assert_fail("allocation failures never ended");
#else
    (void)path;
    (void)final_code;
    cr_skip_test("fault hooks are compiled only in the asan variant");
#endif
}

Test(rules, every_allocation_failure_of_a_valid_load_is_exit_71, .timeout = 60)
{
    fail_each_allocation(DATA "valid_full.yaml", 0);
}

Test(rules, every_allocation_failure_of_an_invalid_load_is_exit_71, .timeout = 60)
{
    fail_each_allocation(DATA "multiple_errors.yaml", CW_EXIT_DATAERR);
}
