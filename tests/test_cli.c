/* test_cli.c - the real binary's global options, dispatch and output errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "support.h"

Test(cli, prints_version)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "--version", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(strncmp(r.out, "causeway ", 9) == 0, "stdout: %s", r.out);
    cw_test_output_fini(&r);
}

Test(cli, help_lists_commands_and_exit_codes)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "--help", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0);
    const char *needles[] = {"run", "check",        "classify", "report",
                             "db",  "75 temporary", "64 usage"};
    for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
        cr_assert(strstr(r.out, needles[i]) != NULL, "--help lacks '%s'", needles[i]);
    cw_test_output_fini(&r);
}

Test(cli, unknown_command_is_a_usage_error)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "frobnicate", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 64);
    cr_assert(strstr(r.err, "unknown command 'frobnicate'") != NULL, "stderr: %s", r.err);
    cr_assert_eq(r.out_len, 0);
    cw_test_output_fini(&r);
}

Test(cli, no_command_is_a_usage_error)
{
    cw_test_output r;
    const char *argv[] = {"causeway", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 64);
    cw_test_output_fini(&r);
}

Test(cli, write_error_on_stdout_exits_74)
{
    cw_test_output r;
    const char *argv[] = {"/bin/sh", "-c", "exec \"$CW_BIN\" --help >/dev/full", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 74, "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "could not write results") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(cli, closed_stdout_exits_74_and_says_so)
{
    cw_test_output r;
    const char *argv[] = {"/bin/sh", "-c", "exec \"$CW_BIN\" --version >&-", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 74, "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "standard output: it is closed") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(cli, closed_stdin_and_stderr_are_harmless)
{
    cw_test_output r;
    const char *argv[] = {"/bin/sh", "-c", "exec \"$CW_BIN\" --version <&- 2>&-", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "status %d", r.status);
    cr_assert(strncmp(r.out, "causeway ", 9) == 0, "stdout: %s", r.out);
    cw_test_output_fini(&r);
}
