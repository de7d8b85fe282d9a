/* test_matcher.c - the matcher's semantics (matcher.h) on a fixture rule set. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

typedef struct fixture {
    cw_rules *rules;
    cw_matcher *m;
    cw_scan *scan;
} fixture;

static void load(fixture *f, const char *path)
{
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_rules_load(&f->rules, path, stderr, &err), 0, "%s", err.message);
    cr_assert_eq(cw_matcher_new(&f->m, f->rules, &err), 0, "%s", err.message);
    cr_assert_eq(cw_scan_new(&f->scan, f->m, &err), 0, "%s", err.message);
}

static void parse(fixture *f, const char *yaml)
{
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_rules_parse(&f->rules, "inline.yaml", yaml, strlen(yaml), stderr, &err), 0,
                 "%s", err.message);
    cr_assert_eq(cw_matcher_new(&f->m, f->rules, &err), 0, "%s", err.message);
    cr_assert_eq(cw_scan_new(&f->scan, f->m, &err), 0, "%s", err.message);
}

static void release(fixture *f)
{
    cw_scan_free(f->scan);
    cw_matcher_free(f->m);
    cw_rules_free(f->rules);
}

/* Classify body (with an optional channel); returns the hit of symptom `id` or NULL. */
static const cw_hit *classify_n(fixture *f, const char *body, size_t len, const char *channel,
                                const char *id)
{
    cw_complaint c = {.id = "t", .body = body, .body_len = len};
    c.fields[CW_FIELD_CHANNEL] = channel;
    const cw_hit *hits = NULL;
    size_t count = 99;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_matcher_classify(&hits, &count, f->scan, &c, &err), 0, "%s", err.message);
    long want = cw_rules_find_symptom(f->rules, id);
    cr_assert_geq(want, 0, "no symptom %s", id);
    for (size_t i = 0; i < count; i++) {
        cr_assert_leq(hits[i].start, hits[i].end);
        cr_assert_leq(hits[i].end, len);
        if (i > 0)
            cr_assert_lt(hits[i - 1].symptom, hits[i].symptom, "sorted, one per symptom");
        if (hits[i].symptom == (size_t)want)
            return &hits[i];
    }
    return NULL;
}

static const cw_hit *classify(fixture *f, const char *body, const char *id)
{
    return classify_n(f, body, strlen(body), "app", id);
}

static void assert_span(fixture *f, const char *body, const char *id, const char *evidence)
{
    const cw_hit *h = classify(f, body, id);
    cr_assert_not_null(h, "'%s' does not fire %s", body, id);
    size_t want = (size_t)(strstr(body, evidence) - body);
    cr_assert_eq(h->start, want, "'%s': start %zu, want %zu", body, h->start, want);
    cr_assert_eq(h->end, want + strlen(evidence), "'%s': end %zu, want %zu", body, h->end,
                 want + strlen(evidence));
}

static fixture f;

static void setup_basic(void)
{
    load(&f, "tests/data/matcher/basic.yaml");
}

static void teardown(void)
{
    release(&f);
}

TestSuite(matcher, .init = setup_basic, .fini = teardown);

Test(matcher, version_names_the_semantics)
{
    cr_assert_str_eq(cw_matcher_version(), "causeway-matcher/1");
    cr_assert_eq(cw_matcher_rules(f.m), f.rules);
}

Test(matcher, phrases_are_word_bounded)
{
    cr_assert_not_null(classify(&f, "she was rude.", "discourtesy"));
    cr_assert_not_null(classify(&f, "rude", "discourtesy"));
    cr_assert_null(classify(&f, "prudent advice", "discourtesy"));
    cr_assert_null(classify(&f, "rudeness", "discourtesy"));
    cr_assert_null(classify(&f, "rude_ly", "discourtesy"));
    cr_assert_null(classify(&f, "chocolate delivery", "delay"));
    /* UTF-8 letters are word characters: no match inside "rudé" or "érude". */
    cr_assert_null(classify(&f, "so rud\xc3\xa9 today", "discourtesy"));
    cr_assert_null(classify(&f, "so \xc3\xa9rude today", "discourtesy"));
    cr_assert_null(classify(&f, "so rude\xc3\xa9 today", "discourtesy"));
    /* ... but curly quotes and a no-break space are not letters. */
    assert_span(&f, "\xe2\x80\x9crude\xe2\x80\x9d", "discourtesy", "rude");
    assert_span(&f, "so\xc2\xa0rude\xc2\xa0staff", "discourtesy", "rude");
    assert_span(&f, "missing itemz\xe2\x80\x9d", "order_mixup", "missing itemz");
}

Test(matcher, phrases_are_case_insensitive)
{
    assert_span(&f, "They sent the WRONG Order", "order_mixup", "WRONG Order");
    assert_span(&f, "RUDE CASHIER", "discourtesy", "RUDE");
}

Test(matcher, spaces_match_any_run_of_whitespace)
{
    assert_span(&f, "a wrong \t\r\n  order", "order_mixup", "wrong \t\r\n  order");
    cr_assert_null(classify(&f, "wrongorder", "order_mixup"));
    cr_assert_null(classify(&f, "wrong-order", "order_mixup"));
}

Test(matcher, prefix_wildcard_covers_the_whole_word)
{
    assert_span(&f, "two missing items today", "order_mixup", "missing items");
    assert_span(&f, "one missing item", "order_mixup", "missing item");
    cr_assert_null(classify(&f, "missing itinerary", "order_mixup"));
    assert_span(&f, "late deliveries again", "delay", "late deliveries");
}

Test(matcher, term_lists_expand_to_their_alternatives)
{
    assert_span(&f, "the delayed delivery", "delay", "delayed delivery");
    assert_span(&f, "it took forever delivering", "delay", "took forever delivering");
    cr_assert_null(classify(&f, "took delivery", "delay"));
}

Test(matcher, apostrophes_match_typographic_ones)
{
    assert_span(&f, "got someone else's order", "order_mixup", "someone else's order");
    assert_span(&f, "got someone else\xe2\x80\x99s order", "order_mixup",
                "someone else\xe2\x80\x99s order");
}

Test(matcher, regexes_are_caseless_as_written)
{
    assert_span(&f, "a Wrong Colour shirt", "order_mixup", "Wrong Colour");
    assert_span(&f, "wrong color", "order_mixup", "wrong color");
    cr_assert_null(classify(&f, "wrong colours", "order_mixup"));
}

Test(matcher, negation_cancels_a_hit_shortly_after_a_negator)
{
    cr_assert_null(classify(&f, "the staff was not rude", "discourtesy"));
    cr_assert_null(classify(&f, "nobody was rude", "discourtesy"));
    cr_assert_null(classify(&f, "I didn't find them rude", "discourtesy"));
    cr_assert_null(classify(&f, "I didn\xe2\x80\x99t find them rude", "discourtesy"));
    cr_assert_null(classify(&f, "NEVER rude", "discourtesy"));
    cr_assert_null(classify(&f, "without doubt rude", "discourtesy"));
}

Test(matcher, negation_window_stops_at_clause_ends)
{
    assert_span(&f, "not only late but rude", "discourtesy", "rude");
    assert_span(&f, "Not bad. Rude staff though", "discourtesy", "Rude");
    assert_span(&f, "no; rude", "discourtesy", "rude");
    assert_span(&f, "not just rude, awful", "discourtesy", "rude");
    assert_span(&f, "not a single thing was rude", "discourtesy", "rude"); /* 4 words back */
}

Test(matcher, evidence_is_the_first_non_negated_hit)
{
    const char *t = "not rude at first, then rude and rude";
    const cw_hit *h = classify(&f, t, "discourtesy");
    cr_assert_not_null(h);
    cr_assert_eq(h->start, (size_t)(strstr(t, "then rude") - t) + 5);
    cr_assert_eq(h->end - h->start, 4);
}

Test(matcher, unless_vetoes_anywhere)
{
    cr_assert_not_null(classify(&f, "wrong order", "order_mixup"));
    cr_assert_null(classify(&f, "wrong order? no problem with my order", "order_mixup"));
    cr_assert_null(classify(&f, "No problem with my order, wrong order", "order_mixup"));
}

Test(matcher, all_entries_must_match_somewhere)
{
    cr_assert_null(classify(&f, "it crashed", "app_crash"));
    cr_assert_not_null(classify(&f, "it crashed; the app is bad", "app_crash"));
    /* negation: false for this symptom */
    cr_assert_not_null(classify(&f, "the app never crashed before", "app_crash"));
}

Test(matcher, where_conditions_compare_fields_case_insensitively)
{
    const char *t = "the app crashed";
    cr_assert_not_null(classify_n(&f, t, strlen(t), "APP", "app_crash"));
    cr_assert_not_null(classify_n(&f, t, strlen(t), "web", "app_crash"));
    cr_assert_null(classify_n(&f, t, strlen(t), "phone", "app_crash"));
    cr_assert_null(classify_n(&f, t, strlen(t), NULL, "app_crash"));
    cr_assert_eq(cw_matcher_explain(f.scan, (size_t)cw_rules_find_symptom(f.rules, "app_crash")),
                 CW_WHY_WHERE);
}

Test(matcher, several_symptoms_per_complaint_in_rule_order)
{
    const char *t = "the app crashed, a rude cashier and a wrong order, late delivery";
    cw_complaint c = {.body = t, .body_len = strlen(t)};
    c.fields[CW_FIELD_CHANNEL] = "app";
    const cw_hit *hits = NULL;
    size_t n = 0;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_matcher_classify(&hits, &n, f.scan, &c, &err), 0);
    cr_assert_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(hits[i].symptom, i);
    cr_assert_eq(hits[0].start, (size_t)(strstr(t, "wrong order") - t));
    cr_assert_eq(hits[3].start, (size_t)(strstr(t, "crashed") - t));
}

Test(matcher, explain_says_why_not)
{
    size_t s = (size_t)cw_rules_find_symptom(f.rules, "discourtesy");
    cr_assert_null(classify(&f, "was not rude", "discourtesy"));
    cr_assert_eq(cw_matcher_explain(f.scan, s), CW_WHY_NEGATED);
    cr_assert_null(classify(&f, "fine", "discourtesy"));
    cr_assert_eq(cw_matcher_explain(f.scan, s), CW_WHY_NO_HIT);
    s = (size_t)cw_rules_find_symptom(f.rules, "order_mixup");
    cr_assert_null(classify(&f, "wrong order, no problem with my order", "order_mixup"));
    cr_assert_eq(cw_matcher_explain(f.scan, s), CW_WHY_VETOED);
    s = (size_t)cw_rules_find_symptom(f.rules, "app_crash");
    cr_assert_null(classify(&f, "crashed", "app_crash"));
    cr_assert_eq(cw_matcher_explain(f.scan, s), CW_WHY_ALL_MISSING);
}

Test(matcher, empty_and_nul_bodies)
{
    cr_assert_null(classify_n(&f, "", 0, "app", "discourtesy"));
    const char body[] = "\0rude\0";
    const cw_hit *h = classify_n(&f, body, sizeof(body) - 1, "app", "discourtesy");
    cr_assert_not_null(h);
    cr_assert_eq(h->start, 1);
    cr_assert_eq(h->end, 5);
}

static long long reports(fixture *fx, const char *body)
{
    cw_error err;
    cw_error_clear(&err);
    long long n = cw_matcher_count_reports(fx->scan, body, strlen(body), &err);
    cr_assert_geq(n, 0, "%s", err.message);
    return n;
}

Test(matcher, count_reports_interprets_nothing)
{
    cr_assert_eq(reports(&f, ""), 0);
    cr_assert_eq(reports(&f, "my parcel arrived on time"), 0);
    long long once = reports(&f, "he was rude");
    cr_assert_gt(once, 0);
    cr_assert_eq(reports(&f, "he was rude, she was rude"), 2 * once, "one report per match");
    /* No word bounds, no negation: what classify rejects is still a report. */
    cr_assert_null(classify(&f, "prudent", "discourtesy"));
    cr_assert_eq(reports(&f, "prudent"), once);
    cr_assert_null(classify(&f, "nobody was rude", "discourtesy"));
    cr_assert_eq(reports(&f, "nobody was rude"), once);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(matcher, ten_megabytes_of_matches_in_bounded_time, .timeout = 60)
{
    const char *unit = "not rude at all; the app crashed, missing items, late deliveries ";
    size_t ulen = strlen(unit), len = 10u * 1024u * 1024u;
    char *body = malloc(len);
    cr_assert_not_null(body);
    for (size_t i = 0; i < len; i++)
        body[i] = unit[i % ulen];
    double t0 = seconds();
    const cw_hit *h = classify_n(&f, body, len, "app", "order_mixup");
    double dt = seconds() - t0;
    cr_assert_not_null(h);
    cr_assert_eq(h->start, (size_t)(strstr(unit, "missing") - unit));
    cr_assert_lt(dt, 20.0, "10 MB took %.2f s", dt); /* generous: sanitizer builds */
    free(body);
}

Test(matcher, binary_junk_and_invalid_utf8_are_safe, .timeout = 60)
{
    size_t len = 4u * 1024u * 1024u;
    unsigned char *body = malloc(len);
    cr_assert_not_null(body);
    unsigned x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        body[i] = (unsigned char)(x >> 16);
    }
    memcpy(body + 1000, " rude ", 6);
    memcpy(body + 2000, "\xc3(\xff\xfe rude \xed\xa0\x80", 13);
    double t0 = seconds();
    const cw_hit *h = classify_n(&f, (const char *)body, len, NULL, "discourtesy");
    cr_assert_lt(seconds() - t0, 20.0);
    cr_assert_not_null(h);
    cr_assert_eq(h->start, 1001);
    free(body);
}

static void assert_refused(const char *path, unsigned line, unsigned column, const char *what)
{
    cw_rules *rules = NULL;
    cw_matcher *m = (cw_matcher *)1;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_rules_load(&rules, path, stderr, &err), 0, "%s", err.message);
    cr_assert_eq(cw_matcher_new(&m, rules, &err), -1);
    cr_assert_null(m);
    cr_assert_eq(err.code, CW_EXIT_DATAERR);
    cr_assert_str_eq(err.file, path);
    cr_assert_eq(err.line, line);
    cr_assert_eq(err.column, column);
    cr_assert_not_null(strstr(err.message, what), "%s", err.message);
    cw_rules_free(rules);
}

Test(matcher_compile, uncompilable_pattern_is_a_data_error_at_its_position)
{
    assert_refused("tests/data/matcher/bad_regex.yaml", 12, 25,
                   "pattern '(unclosed' cannot be compiled: Missing close parenthesis");
}

Test(matcher_compile, huge_repeat_is_refused_by_the_compile_budget)
{
    assert_refused("tests/data/matcher/repeat_budget.yaml", 11, 15, "compile budget");
}

Test(matcher_compile, empty_matching_regex_is_refused)
{
    const char *yaml = "version: 1\n"
                       "cause_areas: [{id: a, name: A}]\n"
                       "symptoms:\n"
                       "  - id: s\n"
                       "    name: S\n"
                       "    severity: 1\n"
                       "    match: {regex: ['x*']}\n"
                       "    causes: [{area: a, weight: 1}]\n";
    cw_rules *rules = NULL;
    cw_matcher *m = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_rules_parse(&rules, "inline.yaml", yaml, strlen(yaml), stderr, &err), 0);
    cr_assert_eq(cw_matcher_new(&m, rules, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_DATAERR);
    cr_assert_eq(err.line, 7);
    cr_assert_eq(err.column, 21);
    cw_rules_free(rules);
}

Test(matcher_compile, term_list_at_both_ends_and_punctuation_is_literal)
{
    fixture g = {0};
    parse(&g, "version: 1\n"
              "terms: {who: [agent*, \"the rep\"], what: [\"$5 fee\", \"c++\"]}\n"
              "cause_areas: [{id: a, name: A}]\n"
              "symptoms:\n"
              "  - id: s\n"
              "    name: S\n"
              "    severity: 1\n"
              "    match: {any: ['{who} charged {what}', 'a.b (c)?']}\n"
              "    causes: [{area: a, weight: 1}]\n");
    assert_span(&g, "then agents charged $5 fee!", "s", "agents charged $5 fee");
    assert_span(&g, "The Rep charged C++.", "s", "The Rep charged C++");
    cr_assert_null(classify(&g, "reagent charged $5 fee", "s"));
    cr_assert_null(classify(&g, "agent charged $55 fee", "s"));
    assert_span(&g, "x a.b (c)? y", "s", "a.b (c)?");
    cr_assert_null(classify(&g, "aXb c", "s"));
    release(&g);
}

Test(matcher, spans_are_in_body_bytes_after_whitespace_and_apostrophes)
{
    /* The matcher scans a normalised copy: the spans must still point into the body. */
    const char *t = "x\t\t\n  Someone   else\xe2\x80\x99s\r\n order  and a wrong\n\n colour";
    assert_span(&f, t, "order_mixup", "Someone   else\xe2\x80\x99s\r\n order");
    assert_span(&f, "a  b \n\n wrong \n COLOR!", "order_mixup", "wrong \n COLOR");
}

/*
 * A rule set with term lists a = [w0, w1, ...] and b = ["v0*", "v1*", ...] of `terms`
 * entries each, and one symptom `s` whose match mapping is `match`.
 */
static void term_product_rules(char *yaml, size_t size, int terms, const char *match)
{
    int n = snprintf(yaml, size, "version: 1\nterms:\n  a: [");
    for (int i = 0; i < terms; i++)
        n += snprintf(yaml + n, size - (size_t)n, "%sw%d", i ? ", " : "", i);
    n += snprintf(yaml + n, size - (size_t)n, "]\n  b: [");
    for (int i = 0; i < terms; i++)
        n += snprintf(yaml + n, size - (size_t)n, "%s\"v%d*\"", i ? ", " : "", i);
    n += snprintf(yaml + n, size - (size_t)n,
                  "]\ncause_areas: [{id: a, name: A}]\n"
                  "symptoms:\n"
                  "  - id: s\n"
                  "    name: S\n"
                  "    severity: 1\n"
                  "    match: %s\n"
                  "    causes: [{area: a, weight: 1}]\n",
                  match);
    cr_assert_lt((size_t)n, size, "rule set too long for its buffer");
}

Test(matcher_compile, huge_term_products_fall_back_to_one_regex)
{
    char yaml[4096];
    term_product_rules(yaml, sizeof(yaml), 30, "{any: ['{a} x {b}']}");
    fixture g = {0};
    parse(&g, yaml);
    assert_span(&g, "so w3  X v17abc.", "s", "w3  X v17abc");
    cr_assert_null(classify(&g, "so w3 xv17", "s"));
    cr_assert_null(classify(&g, "so aw3 x v17", "s"));
    release(&g);
}

/* Two term lists side by side, only a space between them: one space in the regex, as in
 * the text (whitespace runs are normalised to one space). */
Test(matcher_compile, huge_term_products_with_only_a_space_between_match)
{
    char yaml[4096];
    term_product_rules(yaml, sizeof(yaml), 70, "{any: ['{a} {b}']}");
    fixture g = {0};
    parse(&g, yaml);
    assert_span(&g, "so w3   v17abc.", "s", "w3   v17abc");
    cr_assert_null(classify(&g, "so w3v17", "s"));
    release(&g);
}

/* The first pass scans a regex in a looser form (whitespace runs as one space, no \b): what
 * fires and where must not change, including around classes and escaped backslashes. */
Test(matcher_compile, regex_probes_miss_nothing)
{
    const char *yaml = "version: 1\n"
                       "cause_areas: [{id: a, name: A}]\n"
                       "symptoms:\n"
                       "  - {id: runs, name: R, severity: 1, causes: [{area: a, weight: 1}],\n"
                       "     match: {regex: ['\\bcard\\s+declined\\b']}}\n"
                       "  - {id: optional, name: O, severity: 1, causes: [{area: a, weight: 1}],\n"
                       "     match: {regex: ['\\bno\\s*reply\\s?yet']}}\n"
                       "  - {id: class, name: C, severity: 1, causes: [{area: a, weight: 1}],\n"
                       "     match: {regex: ['q[\\s]z', 'k[]\\s]m', 'x[\\b]y']}}\n"
                       "  - {id: escaped, name: E, severity: 1, causes: [{area: a, weight: 1}],\n"
                       "     match: {regex: ['c\\\\s']}}\n"
                       "  - {id: bounds, name: B, severity: 1, causes: [{area: a, weight: 1}],\n"
                       "     match: {regex: ['\\bfoo\\b']}}\n";
    fixture g = {0};
    parse(&g, yaml);
    assert_span(&g, "my card \t\n declined.", "runs", "card \t\n declined");
    cr_assert_null(classify(&g, "my card declinedx", "runs"));
    assert_span(&g, "noreplyyet", "optional", "noreplyyet");
    assert_span(&g, "no  reply\tyet", "optional", "no  reply\tyet");
    assert_span(&g, "q\tz", "class", "q\tz");
    assert_span(&g, "k]m", "class", "k]m");
    assert_span(&g, "k\nm", "class", "k\nm");
    assert_span(&g, "x\by", "class", "x\by"); /* in a class, \b is a backspace */
    assert_span(&g, "a c\\s b", "escaped", "c\\s");
    cr_assert_null(classify(&g, "a c b", "escaped"));
    assert_span(&g, "a foo.", "bounds", "foo");
    cr_assert_null(classify(&g, "afoo foobar", "bounds"));
    release(&g);
}

/* ---- near ------------------------------------------------------------------- */

static fixture nf;

static void setup_near(void)
{
    load(&nf, "tests/data/matcher/near.yaml");
}

static void teardown_near(void)
{
    release(&nf);
}

TestSuite(near, .init = setup_near, .fini = teardown_near);

static cw_matcher_why why(fixture *g, const char *id)
{
    return cw_matcher_explain(g->scan, (size_t)cw_rules_find_symptom(g->rules, id));
}

Test(near, within_counts_the_words_between_the_phrases)
{
    assert_span(&nf, "my payment declined", "payment_failed", "payment declined");
    assert_span(&nf, "my payment was sadly declined", "payment_failed",
                "payment was sadly declined");
    cr_assert_null(classify(&nf, "my payment was very sadly declined", "payment_failed"));
    cr_assert_eq(why(&nf, "payment_failed"), CW_WHY_NO_HIT);
    assert_span(&nf, "my card stuck", "card_stuck", "card stuck");
    cr_assert_null(classify(&nf, "my card got stuck", "card_stuck"));
    assert_span(&nf, "never 1 2 3 4 5 6 7 8 9 10 arrived", "never_arrived",
                "never 1 2 3 4 5 6 7 8 9 10 arrived");
    cr_assert_null(classify(&nf, "never 1 2 3 4 5 6 7 8 9 10 11 arrived", "never_arrived"));
}

Test(near, words_are_runs_of_word_characters)
{
    /* Punctuation and whitespace separate words without being words. */
    assert_span(&nf, "payment -- was -- \xe2\x80\x9csadly\xe2\x80\x9d declined", "payment_failed",
                "payment -- was -- \xe2\x80\x9csadly\xe2\x80\x9d declined");
    /* "wasn't" is two words, "wasn" and "t". */
    cr_assert_not_null(classify(&nf, "payment was really declined", "payment_failed"));
    cr_assert_null(classify(&nf, "payment wasn't really declined", "payment_failed"));
    /* Non-ASCII letters are word characters: "déjà" is one word. */
    assert_span(&nf, "payment d\xc3\xa9j\xc3\xa0 declined", "payment_failed",
                "payment d\xc3\xa9j\xc3\xa0 declined");
}

Test(near, order_matters)
{
    cr_assert_null(classify(&nf, "declined payment", "payment_failed"));
    cr_assert_null(classify(&nf, "stuck card", "card_stuck"));
    cr_assert_null(classify(&nf, "arrived, never", "never_arrived"));
}

Test(near, a_sentence_end_in_between_blocks)
{
    cr_assert_null(classify(&nf, "payment. declined", "payment_failed"));
    cr_assert_null(classify(&nf, "payment! declined", "payment_failed"));
    cr_assert_null(classify(&nf, "payment? declined", "payment_failed"));
    cr_assert_null(classify(&nf, "payment; declined", "payment_failed"));
    assert_span(&nf, "payment, declined", "payment_failed", "payment, declined");
    /* The next pair in the same sentence still counts. */
    assert_span(&nf, "payment. The transfer was declined", "payment_failed",
                "transfer was declined");
}

Test(near, a_negator_before_first_cancels_the_hit)
{
    cr_assert_null(classify(&nf, "not one payment was declined", "payment_failed"));
    cr_assert_eq(why(&nf, "payment_failed"), CW_WHY_NEGATED);
    cr_assert_null(classify(&nf, "no card stuck", "card_stuck"));
    /* A cancelled hit does not veto: a later one fires. */
    assert_span(&nf, "no payment declined, but then a transfer failed", "payment_failed",
                "transfer failed");
    /* Only words before first count, as for phrases. */
    assert_span(&nf, "my payment not declined", "payment_failed", "payment not declined");
    /* negation: false */
    assert_span(&nf, "no, it never arrived", "never_arrived", "never arrived");
}

Test(near, term_lists_and_wildcards_on_both_sides)
{
    assert_span(&nf, "The TRANSFERS failed", "payment_failed", "TRANSFERS failed");
    assert_span(&nf, "direct \n debit did  not go through", "payment_failed",
                "direct \n debit did  not go through");
    assert_span(&nf, "payments failing", "payment_failed", "payments failing");
    cr_assert_null(classify(&nf, "payments fai", "payment_failed"));
    assert_span(&nf, "cards stuck", "card_stuck", "cards stuck");
    assert_span(&nf, "the machine then ate my cards!", "card_stuck", "machine then ate my cards");
    cr_assert_null(classify(&nf, "the machines ate my card", "card_stuck"));
}

Test(near, evidence_is_the_leftmost_hit_from_first_start_to_then_end)
{
    assert_span(&nf, "payment failed and transfer failed", "payment_failed", "payment failed");
    /* Two thens in reach of the same first: the one that ends first. */
    assert_span(&nf, "payment declined declined", "payment_failed", "payment declined");
    /* A near hit and an `any` hit: the one that starts first. */
    assert_span(&nf, "never arrived, lost in the post", "never_arrived", "never arrived");
    assert_span(&nf, "lost in the post, never arrived", "never_arrived", "lost in the post");
    /* Spans are body bytes after whitespace and apostrophes are normalised. */
    assert_span(&nf, "x  \t my   payment \xe2\x80\x99 \n declined", "payment_failed",
                "payment \xe2\x80\x99 \n declined");
}

Test(near, unless_still_vetoes)
{
    cr_assert_null(classify(&nf, "card stuck, but I got it back", "card_stuck"));
    cr_assert_eq(why(&nf, "card_stuck"), CW_WHY_VETOED);
}

Test(near, several_symptoms_per_complaint)
{
    const char *t = "my card stuck, the payment was declined and it never arrived";
    cw_complaint c = {.body = t, .body_len = strlen(t)};
    const cw_hit *hits = NULL;
    size_t n = 0;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_matcher_classify(&hits, &n, nf.scan, &c, &err), 0);
    cr_assert_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(hits[i].symptom, i);
    cr_assert_eq(hits[0].start, (size_t)(strstr(t, "payment") - t));
    cr_assert_eq(hits[1].start, (size_t)(strstr(t, "card") - t));
    cr_assert_eq(hits[2].end, strlen(t));
}

Test(near, ten_megabytes_of_first_and_then_matches_in_bounded_time, .timeout = 60)
{
    /* Every first has thens in the body but none in reach until the very end. */
    const char *unit = "payment was very slowly declined. card, then stuck; ";
    const char *tail = "the transfer failed";
    size_t ulen = strlen(unit), len = 10u * 1024u * 1024u, tlen = strlen(tail);
    char *body = malloc(len);
    cr_assert_not_null(body);
    for (size_t i = 0; i < len - tlen; i++)
        body[i] = unit[i % ulen];
    memcpy(body + len - tlen, tail, tlen);
    body[len - tlen - 1] = '.';
    double t0 = seconds();
    const cw_hit *h = classify_n(&nf, body, len, NULL, "payment_failed");
    cr_assert_lt(seconds() - t0, 30.0); /* generous: sanitizer builds */
    cr_assert_not_null(h);
    cr_assert_eq(h->start, len - tlen + 4);
    cr_assert_eq(h->end, len);
    cr_assert_null(classify_n(&nf, body, len, NULL, "card_stuck"));
    /* Firsts crowding without words between them (a punctuation first): still linear. */
    fixture g = {0};
    parse(&g, "version: 1\n"
              "cause_areas: [{id: a, name: A}]\n"
              "symptoms:\n"
              "  - id: s\n"
              "    name: S\n"
              "    severity: 1\n"
              "    match: {near: [{first: '$', then: refund, within: 0}]}\n"
              "    causes: [{area: a, weight: 1}]\n");
    memset(body, '$', len);
    memcpy(body + len / 2, ". refund", 8);
    memcpy(body + len - 7, " refund", 7);
    t0 = seconds();
    h = classify_n(&g, body, len, NULL, "s");
    cr_assert_lt(seconds() - t0, 30.0);
    cr_assert_not_null(h);
    cr_assert_eq(h->start, len / 2 + 8);
    cr_assert_eq(h->end, len);
    release(&g);
    free(body);
}

Test(matcher_compile, near_phrases_with_huge_term_products_fall_back_to_one_regex)
{
    char yaml[4096];
    term_product_rules(yaml, sizeof(yaml), 70,
                       "{near: [{first: '{a} x {b}', then: '{b} y {a}', within: 1}]}");
    fixture g = {0};
    parse(&g, yaml);
    assert_span(&g, "so w3 x v17abc, or v2 y w69.", "s", "w3 x v17abc, or v2 y w69");
    cr_assert_null(classify(&g, "so w3 x v17abc, or so v2 y w69.", "s"));
    cr_assert_null(classify(&g, "so v2 y w69 w3 x v17abc", "s"));
    release(&g);
}

/* ---- entry statistics ----------------------------------------------------------------
 * tests/data/coverage/corpus.csv through tests/data/coverage/rules.yaml; every count below is
 * worked out from the 18 complaints by hand (see the comments in tests/test_coverage.c). */

#include <stdint.h>

#include "causeway/corpus/input.h"

#define COV "tests/data/coverage/"

/* Classify the coverage corpus with a counting scan (and, when `plain` is set, the same
 * complaints with a scan that does not count, checking both give the same hits). */
static void classify_corpus(fixture *fx, cw_scan *plain)
{
    cw_error err;
    cw_error_clear(&err);
    FILE *file = fopen(COV "corpus.csv", "rb");
    cr_assert_not_null(file);
    cw_input_options opt = {.format = CW_INPUT_CSV};
    opt.field_columns[CW_FIELD_CHANNEL] = "channel";
    cw_input *in = NULL;
    cr_assert_eq(cw_input_new(&in, file, COV "corpus.csv", &opt, &err), 0, "%s", err.message);
    cw_record rec;
    int rc;
    while ((rc = cw_input_next(&rec, in, &err)) == 1) {
        cw_complaint c = {.id = rec.id, .body = rec.text, .body_len = rec.text_len};
        memcpy(c.fields, rec.fields, sizeof(c.fields));
        const cw_hit *hits, *plain_hits;
        size_t count, plain_count;
        cr_assert_eq(cw_matcher_classify(&hits, &count, fx->scan, &c, &err), 0, "%s", err.message);
        if (plain == NULL)
            continue;
        cr_assert_eq(cw_matcher_classify(&plain_hits, &plain_count, plain, &c, &err), 0);
        cr_assert_eq(count, plain_count, "%s", rec.id);
        for (size_t i = 0; i < count; i++) {
            cr_assert_eq(hits[i].symptom, plain_hits[i].symptom, "%s", rec.id);
            cr_assert_eq(hits[i].start, plain_hits[i].start, "%s", rec.id);
            cr_assert_eq(hits[i].end, plain_hits[i].end, "%s", rec.id);
        }
    }
    cr_assert_eq(rc, 0, "%s", err.message);
    cw_input_free(in);
    fclose(file);
}

/* The entry written at `line` of the fixture (exactly one). */
static size_t entry_at(const fixture *fx, unsigned line)
{
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < cw_matcher_entry_count(fx->m); i++)
        if (cw_matcher_entry(fx->m, i)->pos.line == line) {
            cr_assert_eq(found, SIZE_MAX, "two entries on line %u", line);
            found = i;
        }
    cr_assert_neq(found, SIZE_MAX, "no entry on line %u", line);
    return found;
}

static void assert_entry(const fixture *fx, unsigned line, cw_entry_kind kind,
                         unsigned long long hits, unsigned long long negated,
                         unsigned long long suppressed)
{
    const cw_match_stats *st = cw_scan_stats(fx->scan);
    size_t e = entry_at(fx, line);
    cr_assert_eq(cw_matcher_entry(fx->m, e)->kind, kind, "kind of line %u", line);
    cr_assert_eq(st->entries[e].hits, hits, "line %u: %llu hits, want %llu", line,
                 st->entries[e].hits, hits);
    cr_assert_eq(st->entries[e].negated, negated, "line %u: %llu negated, want %llu", line,
                 st->entries[e].negated, negated);
    cr_assert_eq(st->entries[e].suppressed, suppressed, "line %u: %llu suppressed, want %llu", line,
                 st->entries[e].suppressed, suppressed);
}

static void assert_term(const fixture *fx, size_t item, unsigned long long hits,
                        unsigned long long negated)
{
    const cw_match_stats *st = cw_scan_stats(fx->scan);
    for (size_t i = 0; i < cw_matcher_entry_count(fx->m); i++) {
        const cw_entry *e = cw_matcher_entry(fx->m, i);
        if (e->kind != CW_ENTRY_TERM || e->index != item)
            continue;
        cr_assert(e->tracked);
        cr_assert_eq(st->entries[i].hits, hits, "term %zu: %llu hits", item, st->entries[i].hits);
        cr_assert_eq(st->entries[i].negated, negated, "term %zu: %llu negated", item,
                     st->entries[i].negated);
        return;
    }
    cr_assert_fail("no term entry %zu", item);
}

static void assert_symptom(const fixture *fx, const char *id, unsigned long long fired,
                           unsigned long long negated, unsigned long long vetoed,
                           unsigned long long held_all, unsigned long long held_where)
{
    const cw_symptom_stats *s =
        &cw_scan_stats(fx->scan)->symptoms[cw_rules_find_symptom(fx->rules, id)];
    cr_assert_eq(s->fired, fired, "%s fired %llu", id, s->fired);
    cr_assert_eq(s->negated, negated, "%s negated %llu", id, s->negated);
    cr_assert_eq(s->vetoed, vetoed, "%s vetoed %llu", id, s->vetoed);
    cr_assert_eq(s->held_all, held_all, "%s held_all %llu", id, s->held_all);
    cr_assert_eq(s->held_where, held_where, "%s held_where %llu", id, s->held_where);
}

Test(matcher_stats, counts_every_entry_once_per_complaint)
{
    fixture fx;
    load(&fx, COV "rules.yaml");
    cw_error err;
    cw_error_clear(&err);
    cr_assert_null(cw_scan_stats(fx.scan), "off until enabled");
    cr_assert_eq(cw_scan_stats_enable(fx.scan, &err), 0);
    cr_assert_eq(cw_scan_stats_enable(fx.scan, &err), 0, "idempotent");
    cw_scan *plain = NULL;
    cr_assert_eq(cw_scan_new(&plain, fx.m, &err), 0);
    classify_corpus(&fx, plain);
    cr_assert_null(cw_scan_stats(plain));
    cr_assert_eq(cw_scan_stats(fx.scan)->complaints, 18);
    /* 12 numbered entries of the symptoms, then the 3 phrases of term list staff. */
    cr_assert_eq(cw_matcher_entry_count(fx.m), 15);
    assert_entry(&fx, 17, CW_ENTRY_ANY, 3, 1, 0);    /* c01 c02 c04; c03 negated */
    assert_entry(&fx, 18, CW_ENTRY_ANY, 1, 0, 0);    /* c05 */
    assert_entry(&fx, 20, CW_ENTRY_REGEX, 1, 0, 0);  /* c05 */
    assert_entry(&fx, 22, CW_ENTRY_UNLESS, 1, 0, 1); /* c04, which it vetoed */
    assert_entry(&fx, 30, CW_ENTRY_ANY, 2, 0, 0);    /* c02 c12 */
    assert_entry(&fx, 31, CW_ENTRY_ANY, 0, 0, 0);    /* dead */
    assert_entry(&fx, 33, CW_ENTRY_NEAR, 1, 1, 0);   /* c06; c07 negated */
    assert_entry(&fx, 40, CW_ENTRY_WHERE, 3, 0, 1);  /* channel app: c01 c08 c09; held back c10 */
    assert_entry(&fx, 43, CW_ENTRY_ANY, 3, 0, 0);    /* c08 c09 c10 */
    assert_entry(&fx, 45, CW_ENTRY_ALL, 3, 0, 0);    /* c08 c10 c15 */
    assert_entry(&fx, 53, CW_ENTRY_ANY, 2, 0, 0);    /* c11 c12 */
    assert_entry(&fx, 55, CW_ENTRY_UNLESS, 0, 0, 0); /* dead veto */
    assert_term(&fx, 0, 2, 1);                       /* agent: c01 c04; c03 negated */
    assert_term(&fx, 1, 1, 0);                       /* cashier: c02 */
    assert_term(&fx, 2, 0, 0);                       /* waiter: dead */
    assert_symptom(&fx, "rude", 3, 1, 1, 0, 0);
    assert_symptom(&fx, "late", 3, 1, 0, 0, 0);
    assert_symptom(&fx, "crash", 1, 0, 0, 1, 1);
    assert_symptom(&fx, "refund", 2, 0, 0, 0, 0);
    cw_scan_free(plain);
    release(&fx);
}

Test(matcher_stats, terms_only_in_a_regex_phrase_are_not_tracked)
{
    /* 3^8 = 6561 > 4096 alternatives: one regex, whose term phrases cannot be told apart. */
    fixture fx;
    parse(&fx, "version: 1\n"
               "terms:\n"
               "  a: [x1, x2, x3]\n"
               "cause_areas: [{id: c, name: C}]\n"
               "symptoms:\n"
               "  - id: s\n"
               "    name: S\n"
               "    severity: 1\n"
               "    match: {any: ['{a} y {a} y {a} y {a} y {a} y {a} y {a} y {a}']}\n"
               "    causes: [{area: c, weight: 1}]\n");
    size_t terms = 0;
    for (size_t i = 0; i < cw_matcher_entry_count(fx.m); i++) {
        const cw_entry *e = cw_matcher_entry(fx.m, i);
        if (e->kind == CW_ENTRY_TERM) {
            terms++;
            cr_assert(!e->tracked);
        }
    }
    cr_assert_eq(terms, 3);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_scan_stats_enable(fx.scan, &err), 0);
    cr_assert_not_null(classify(&fx, "x1 y x2 y x3 y x1 y x2 y x3 y x1 y x2", "s"));
    cr_assert_eq(cw_scan_stats(fx.scan)->entries[0].hits, 1, "the phrase itself is counted");
    release(&fx);
}
