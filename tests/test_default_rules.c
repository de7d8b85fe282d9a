/*
 * test_default_rules.c - the built-in rule set (rules/default.yaml, embedded by
 * the Makefile): it loads through the strict loader, has the ten cause areas
 * and the fourteen symptom ids other parts rely on (sample data, weekly run,
 * eval-classes.csv), every symptom has inline examples of both kinds, and the
 * embedded copy is byte-identical to the file in the tree.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/rules/rules.h"
#include "support.h"

static const char *const area_ids[] = {"culture",    "management", "teamwork",   "communication",
                                       "leadership", "standards",  "engagement", "expertise",
                                       "process",    "technology"};

/* Symptom id and the primary cause area it must list first. */
static const char *const symptom_ids[][2] = {
    {"order_mixup", "process"},
    {"discourtesy", "engagement"},
    {"billing_error", "process"},
    {"refund_not_processed", "process"},
    {"digital_malfunction", "technology"},
    {"delay_wait", "management"},
    {"wrong_information", "communication"},
    {"no_response", "communication"},
    {"product_quality", "standards"},
    {"knowledge_gap", "expertise"},
    {"policy_breach", "standards"},
    {"process_friction", "process"},
    {"manager_unresponsive", "leadership"},
    {"blame_shifting", "culture"},
};

static cw_rules *load_default(void)
{
    cw_rules *rules = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = cw_rules_load_default(&rules, stderr, &err);
    cr_assert_eq(rc, 0, "default rules failed to load: %s", err.message);
    cr_assert_not_null(rules);
    return rules;
}

Test(default_rules, loads_with_the_ten_cause_areas)
{
    cw_rules *rules = load_default();
    size_t n = sizeof(area_ids) / sizeof(area_ids[0]);
    cr_expect_eq(rules->area_count, n, "expected %zu cause areas, got %zu", n, rules->area_count);
    for (size_t i = 0; i < n; i++) {
        long idx = cw_rules_find_area(rules, area_ids[i]);
        cr_expect_geq(idx, 0, "cause area '%s' missing", area_ids[i]);
        if (idx < 0)
            continue;
        const cw_cause_area *a = &rules->areas[idx];
        cr_expect_neq(a->owner[0], '\0', "cause area '%s' has no owner", a->id);
        cr_expect_gt(strlen(a->remediation), 40, "cause area '%s' needs a concrete remediation",
                     a->id);
    }
    cw_rules_free(rules);
}

Test(default_rules, has_the_fourteen_symptoms_with_their_primary_area_first)
{
    cw_rules *rules = load_default();
    size_t n = sizeof(symptom_ids) / sizeof(symptom_ids[0]);
    cr_expect_eq(rules->symptom_count, n, "expected %zu symptoms, got %zu", n,
                 rules->symptom_count);
    for (size_t i = 0; i < n; i++) {
        long idx = cw_rules_find_symptom(rules, symptom_ids[i][0]);
        cr_expect_geq(idx, 0, "symptom '%s' missing", symptom_ids[i][0]);
        if (idx < 0)
            continue;
        const cw_symptom *s = &rules->symptoms[idx];
        cr_assert_gt(s->cause_count, 0);
        cr_expect_str_eq(rules->areas[s->causes[0].area].id, symptom_ids[i][1],
                         "symptom '%s' must list '%s' first", s->id, symptom_ids[i][1]);
        double sum = 0.0;
        double top = 0.0;
        for (size_t c = 0; c < s->cause_count; c++) {
            sum += s->causes[c].weight;
            top = fmax(top, s->causes[c].weight);
        }
        cr_expect_lt(fabs(sum - 1.0), 1e-6, "weights of '%s' sum to %g", s->id, sum);
        cr_expect_eq(s->causes[0].weight, top, "the primary area of '%s' must weigh most", s->id);
        cr_expect_geq(s->examples_match.count, 3, "symptom '%s' needs several match examples",
                      s->id);
        cr_expect_geq(s->examples_no_match.count, 3, "symptom '%s' needs several no_match examples",
                      s->id);
        cr_expect_eq(s->status, CW_STATUS_STABLE, "default symptom '%s' should be stable", s->id);
    }
    cw_rules_free(rules);
}

Test(default_rules, severities_rank_harm_above_annoyance)
{
    cw_rules *rules = load_default();
    long breach = cw_rules_find_symptom(rules, "policy_breach");
    long billing = cw_rules_find_symptom(rules, "billing_error");
    long delay = cw_rules_find_symptom(rules, "delay_wait");
    cr_assert(breach >= 0 && billing >= 0 && delay >= 0);
    cr_expect_eq(rules->symptoms[breach].severity, 5);
    cr_expect_gt(rules->symptoms[billing].severity, rules->symptoms[delay].severity);
    cw_rules_free(rules);
}

Test(default_rules, embedded_copy_matches_the_file_in_the_tree)
{
    size_t len = 0;
    char *file = cw_test_read_file("rules/default.yaml", &len);
    cr_assert_not_null(file, "rules/default.yaml not readable from the repository root");
    cw_rules *rules = load_default();
    cr_expect_eq(rules->source_len, len, "embedded rules are stale: rebuild");
    cr_expect(rules->source_len == len && memcmp(rules->source, file, len) == 0,
              "embedded rules differ from rules/default.yaml");
    cw_rules_free(rules);
    free(file);
}

Test(default_rules, file_loads_through_the_file_loader_too)
{
    cw_rules *rules = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = cw_rules_load(&rules, "rules/default.yaml", stderr, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    cr_expect_str_eq(rules->path, "rules/default.yaml");
    cw_rules_free(rules);
}

/* make eval maps symptoms onto the evaluation classes of ../shared/data: every
 * default symptom needs exactly one row, and only those classes are allowed. */
Test(default_rules, eval_classes_map_every_symptom_once)
{
    static const char *const classes[] = {"order_mixup",
                                          "discourtesy",
                                          "billing_transaction_error",
                                          "digital_malfunction",
                                          "delay_wait",
                                          "product_quality",
                                          "communication_information_failure",
                                          "other"};
    size_t len = 0;
    char *csv = cw_test_read_file("rules/eval-classes.csv", &len);
    cr_assert_not_null(csv);
    cw_rules *rules = load_default();
    size_t *seen = calloc(rules->symptom_count, sizeof(*seen));
    cr_assert_not_null(seen);
    char *save = NULL;
    char *line = strtok_r(csv, "\n", &save);
    cr_assert_str_eq(line, "symptom_id,eval_class");
    size_t rows = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char *comma = strchr(line, ',');
        cr_assert_not_null(comma, "row without a comma: %s", line);
        *comma = '\0';
        long idx = cw_rules_find_symptom(rules, line);
        cr_expect_geq(idx, 0, "eval-classes.csv names unknown symptom '%s'", line);
        if (idx >= 0)
            seen[idx]++;
        bool known = false;
        for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
            known = known || strcmp(comma + 1, classes[i]) == 0;
        cr_expect(known, "unknown evaluation class '%s'", comma + 1);
        rows++;
    }
    cr_expect_eq(rows, rules->symptom_count);
    for (size_t i = 0; i < rules->symptom_count; i++)
        cr_expect_eq(seen[i], 1, "symptom '%s' is mapped %zu times", rules->symptoms[i].id,
                     seen[i]);
    free(seen);
    cw_rules_free(rules);
    free(csv);
}

/* The real binary compiles every pattern with Vectorscan and runs every inline
 * example: the shipped rules must pass their own examples. */
Test(default_rules, check_passes_on_the_file_and_the_built_in_set)
{
    const char *const file_argv[] = {"causeway", "check", "rules/default.yaml", NULL};
    cw_test_output res;
    cr_assert_eq(cw_test_run(&res, NULL, NULL, file_argv), 0);
    cr_expect_eq(res.status, 0, "causeway check rules/default.yaml exited %d:\n%s", res.status,
                 res.err);
    cr_expect(strstr(res.out, "14 symptoms, 10 cause areas") != NULL, "unexpected summary: %s",
              res.out);
    cw_test_output_fini(&res);

    const char *const builtin_argv[] = {"causeway", "check", NULL};
    cr_assert_eq(cw_test_run(&res, NULL, NULL, builtin_argv), 0);
    cr_expect_eq(res.status, 0, "causeway check (built-in) exited %d:\n%s", res.status, res.err);
    cw_test_output_fini(&res);
}
