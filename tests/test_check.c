/* test_check.c - 'causeway check' end to end through the real binary. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static void run(cw_test_output *r, const char *const *argv)
{
    cr_assert_eq(cw_test_run(r, NULL, NULL, argv), 0);
}

Test(check, passing_rule_set_prints_one_summary_line)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/basic.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "tests/data/matcher/basic.yaml: 4 symptoms, 3 cause areas, 20 "
                            "examples: ok\n");
    cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(check, failing_examples_are_each_reported_with_their_position)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/failing_examples.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 65);
    cr_assert_eq(r.out_len, 0, "stdout: %s", r.out);
    cr_assert_str_eq(r.err,
                     "tests/data/matcher/failing_examples.yaml:14:18: error: example does not "
                     "fire 'discourtesy' (no phrase or regex matches): \"the agent was "
                     "impolite\"\n"
                     "tests/data/matcher/failing_examples.yaml:15:18: error: example fires "
                     "'discourtesy' but must not (matched \"rude\"): \"they were rude to me\"\n"
                     "tests/data/matcher/failing_examples.yaml: error: 2 of 3 examples failed\n");
    cw_test_output_fini(&r);
}

Test(check, runs_the_examples_of_near_only_symptoms)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/near.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "tests/data/matcher/near.yaml: 3 symptoms, 2 cause areas, 14 "
                            "examples: ok\n");
    cw_test_output_fini(&r);
    const char *failing[] = {"causeway", "check", "tests/data/matcher/near_failing.yaml", NULL};
    run(&r, failing);
    cr_assert_eq(r.status, 65);
    cr_assert_str_eq(r.err,
                     "tests/data/matcher/near_failing.yaml:12:15: error: example does not fire "
                     "'payment_failed' (no phrase, regex or near entry matches): \"the payment "
                     "was sadly declined\"\n"
                     "tests/data/matcher/near_failing.yaml: error: 1 of 1 examples failed\n");
    cw_test_output_fini(&r);
}

Test(check, uncompilable_pattern_is_positioned)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/bad_regex.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 65);
    cr_assert_eq(r.out_len, 0);
    cr_assert(strstr(r.err, "tests/data/matcher/bad_regex.yaml:12:25: error: pattern '(unclosed' "
                            "cannot be compiled: ") != NULL,
              "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

/* Every regex that does not compile is named, once each, in file order. */
Test(check, every_uncompilable_regex_is_reported)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/bad_regexes.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 65);
    cr_assert_eq(r.out_len, 0);
    const char *lines[] = {
        "tests/data/matcher/bad_regexes.yaml:13:15: error: pattern '(unclosed' cannot be compiled",
        "tests/data/matcher/bad_regexes.yaml:13:38: error: pattern 'a{2,1}' cannot be compiled",
        "tests/data/matcher/bad_regexes.yaml:19:32: error: pattern '[z-a]' cannot be compiled",
    };
    const char *from = r.err;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *at = strstr(from, lines[i]);
        cr_assert_not_null(at, "missing or out of order: %s\nstderr: %s", lines[i], r.err);
        cr_assert_null(strstr(at + 1, lines[i]), "reported twice: %s", lines[i]);
        from = at + 1;
    }
    size_t errors = 0;
    for (const char *p = r.err; (p = strstr(p, ": error: ")) != NULL; p++)
        errors++;
    cr_assert_eq(errors, 3, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

/* Vectorscan failing to allocate is the machine's fault, not the pattern's: 71, not 65. */
Test(check, vectorscan_out_of_memory_is_exit_71_not_a_pattern_error)
{
#ifndef CW_FAULT_HOOKS
    cr_skip_test("fault hooks are compiled into the asan build only (make test)");
#endif
    cw_test_output r;
    const char *env[] = {"CW_FAULT_HS_NOMEM=1", NULL};
    const char *argv[] = {"causeway", "check", "tests/data/matcher/basic.yaml", NULL};
    cr_assert_eq(cw_test_run(&r, env, NULL, argv), 0);
    cr_assert_eq(r.status, 71, "status %d: %s", r.status, r.err);
    cr_assert_str_eq(r.err, "causeway: error: out of memory compiling the rule set\n");
    cr_assert_eq(r.out_len, 0, "stdout: %s", r.out);
    cw_test_output_fini(&r);
}

Test(check, compile_budget_is_enforced)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/repeat_budget.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 65);
    cr_assert(strstr(r.err, "repeat_budget.yaml:11:15: error: ") != NULL, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "compile budget") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(check, invalid_rule_file_reports_every_loader_error)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/rules/multiple_errors.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 65);
    cr_assert_eq(r.out_len, 0);
    size_t lines = 0;
    for (const char *p = r.err; (p = strstr(p, ": error: ")) != NULL; p++)
        lines++;
    cr_assert_geq(lines, 2, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(check, missing_file_is_noinput)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "tests/data/matcher/does-not-exist.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 66);
    cr_assert(strstr(r.err, "does-not-exist.yaml") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(check, default_rule_set_is_checked_when_built_in)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", NULL};
    run(&r, argv);
    if (access("rules/default.yaml", R_OK) == 0) {
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert(strncmp(r.out, "rules/default.yaml: ", 20) == 0, "stdout: %s", r.out);
        cr_assert(strstr(r.out, "examples: ok\n") != NULL, "stdout: %s", r.out);
    } else {
        cr_assert_eq(r.status, 70);
        cr_assert(strstr(r.err, "without a default rule set") != NULL, "stderr: %s", r.err);
    }
    cw_test_output_fini(&r);
}

Test(check, usage_errors)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "check", "a.yaml", "b.yaml", NULL};
    run(&r, argv);
    cr_assert_eq(r.status, 64);
    cr_assert(strstr(r.err, "too many arguments") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    const char *help[] = {"causeway", "check", "--help", NULL};
    run(&r, help);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "Usage: causeway check [RULES]") != NULL, "stdout: %s", r.out);
    cw_test_output_fini(&r);
}
