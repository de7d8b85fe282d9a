/*
 * test_docker.c - the deployment files, checked where Docker itself is absent:
 * the compose file validates, the Kubernetes manifest is well-formed YAML, and
 * the containers' entrypoint scripts (docker/demo.sh, docker/weekly.sh) run
 * natively against the throwaway PostgreSQL with the binary under test.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "support.h"

Test(docker, compose_file_validates)
{
    cw_test_output r;
    const char *argv[] = {"docker-compose", "-f", "docker/docker-compose.yml",
                          "config",         "-q", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0,
                 "docker-compose is not installed (apt-get install docker-compose)");
    cr_assert_eq(r.status, 0, "docker-compose config: %s", r.err);
    cw_test_output_fini(&r);
    /* The health check asks over TCP, as the demo connects: postgres:15's init server
     * answers on the Unix socket while TCP is still closed (issue 16). */
    char *compose = cw_test_read_file("docker/docker-compose.yml", NULL);
    cr_assert_not_null(strstr(compose, "pg_isready -h 127.0.0.1"), "the health check is not TCP");
    cr_assert_not_null(strstr(compose, "stop_grace_period"));
    free(compose);
    char *ignore = cw_test_read_file(".dockerignore", NULL);
    cr_assert_not_null(ignore, "no .dockerignore: build/ and .git go into the build context");
    cr_assert(cw_test_has_line(ignore, "build/") && cw_test_has_line(ignore, ".git"), "%s", ignore);
    free(ignore);
}

/* Every event of the file parses; returns the number of scalars seen. */
static int yaml_scalars(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s missing", path);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int scalars = 0, done = 0;
    while (!done) {
        yaml_event_t ev;
        cr_assert(yaml_parser_parse(&parser, &ev), "%s:%zu: %s", path, parser.problem_mark.line + 1,
                  parser.problem);
        scalars += ev.type == YAML_SCALAR_EVENT;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return scalars;
}

Test(docker, kubernetes_cronjob_is_well_formed_and_tolerates_75)
{
    cr_assert_gt(yaml_scalars("docker/schedule/cronjob.yaml"), 20);
    char *text = cw_test_read_file("docker/schedule/cronjob.yaml", NULL);
    cr_assert_not_null(strstr(text, "concurrencyPolicy: Forbid"));
    cr_assert_not_null(strstr(text, "values: [75]"));
    cr_assert_not_null(strstr(text, "activeDeadlineSeconds:"), "75 retries must be bounded");
    free(text);
    char *unit = cw_test_read_file("docker/schedule/causeway.service", NULL);
    cr_assert_not_null(strstr(unit, "SuccessExitStatus=75"));
    free(unit);
    char *timer = cw_test_read_file("docker/schedule/causeway.timer", NULL);
    cr_assert_not_null(strstr(timer, "Persistent=true"));
    free(timer);
}

/* Replace every `from` in text with `to`; caller frees. */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t n = 0, flen = strlen(from), tlen = strlen(to);
    for (const char *p = strstr(text, from); p != NULL; p = strstr(p + flen, from))
        n++;
    char *out = malloc(strlen(text) + n * tlen + 1), *o = out;
    cr_assert_not_null(out);
    for (const char *p = text;;) {
        const char *hit = strstr(p, from);
        if (hit == NULL) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, to, tlen);
        o += tlen;
        p = hit + flen;
    }
    return out;
}

/*
 * systemd's own checker on the units (unknown keys, bad values, a timer without
 * its service). It needs the ExecStart binary to exist, so the units are copied
 * with the path of the binary under test. Skipped where systemd is not installed.
 */
Test(docker, systemd_units_verify)
{
    char dir[] = "/tmp/causeway-units.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cwd[2048], bin[4200];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    if (cw_test_bin()[0] == '/')
        snprintf(bin, sizeof(bin), "%s", cw_test_bin());
    else
        snprintf(bin, sizeof(bin), "%s/%s", cwd, cw_test_bin());
    cr_assert_eq(access(bin, X_OK), 0, "no binary at %s", bin);
    const char *units[] = {"causeway.service", "causeway.timer"};
    char paths[2][300];
    for (size_t i = 0; i < 2; i++) {
        char src[300];
        snprintf(src, sizeof(src), "docker/schedule/%s", units[i]);
        char *text = cw_test_read_file(src, NULL);
        cr_assert_not_null(text, "%s missing", src);
        char *fixed = replace_all(text, "/usr/local/bin/causeway", bin);
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, units[i]);
        FILE *f = fopen(paths[i], "w");
        cr_assert_not_null(f);
        fputs(fixed, f);
        fclose(f);
        free(fixed);
        free(text);
    }
    cw_test_output r;
    const char *argv[] = {"systemd-analyze", "verify", paths[1], paths[0], NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    int status = r.status;
    char *err = strdup(r.err);
    cw_test_output_fini(&r);
    for (size_t i = 0; i < 2; i++)
        unlink(paths[i]);
    rmdir(dir);
    if (status == 127) {
        free(err);
        cr_skip_test("systemd-analyze is not installed");
    }
    /* Unknown keys are only warnings (status 0): any output is a finding. */
    cr_assert_eq(status, 0, "systemd-analyze verify: %s", err);
    cr_assert_eq(err[0], '\0', "systemd-analyze verify: %s", err);
    free(err);
}

/*
 * weekly.sh's clock: on the Monday it runs it ranks last week (not the one
 * before), a Monday before 06:00 runs the same day, and the ISO year turns over
 * (2026 has 53 weeks).
 */
Test(docker, weekly_schedule_picks_last_complete_week_and_next_monday)
{
    static const char *const cases[][2] = {
        {"2026-11-23 00:25 UTC", "week 2026-W47 next 2026-11-23 06:00\n"},
        {"2026-11-23 06:00 UTC", "week 2026-W47 next 2026-11-30 06:00\n"},
        {"2026-11-29 23:59 UTC", "week 2026-W47 next 2026-11-30 06:00\n"},
        {"2026-11-30 06:00:01 UTC", "week 2026-W48 next 2026-12-07 06:00\n"},
        {"2027-01-04 05:00 UTC", "week 2026-W53 next 2027-01-04 06:00\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char now[64];
        snprintf(now, sizeof(now), "CW_WEEKLY_NOW=%s", cases[i][0]);
        const char *env[] = {"CW_WEEKLY_PLAN=1", now, NULL};
        const char *argv[] = {"docker/weekly.sh", NULL};
        cw_test_output r;
        cr_assert_eq(cw_test_run_program(&r, env, NULL, argv), 0);
        cr_assert_eq(r.status, 0, "%s: %s", cases[i][0], r.err);
        cr_assert_str_eq(r.out, cases[i][1], "at %s", cases[i][0]);
        cw_test_output_fini(&r);
    }
}

Test(docker, entrypoints_run_natively_against_postgresql, .timeout = 600)
{
    char out[] = "/tmp/causeway-demo.XXXXXX";
    cr_assert_not_null(mkdtemp(out));
    char bin[512], demo_out[300], report_dir[300];
    snprintf(bin, sizeof(bin), "CAUSEWAY=%s", cw_test_bin());
    snprintf(demo_out, sizeof(demo_out), "CW_DEMO_OUT=%s", out);
    snprintf(report_dir, sizeof(report_dir), "CW_REPORT_DIR=%s", out);
    const char *env[] = {bin, demo_out, report_dir, "CW_DEMO_WEEKS=60", "CW_WEEKLY_ONCE=1", NULL};

    cw_test_output r;
    const char *demo[] = {"docker/demo.sh", NULL};
    cr_assert_eq(cw_test_run_program(&r, env, NULL, demo), 0);
    cr_assert_eq(r.status, 0, "demo.sh: %s", r.err);
    cr_assert_not_null(strstr(r.out, "Process friendliness"), "no ranking printed: %s", r.out);
    cr_assert_not_null(strstr(r.out, "Fixes (judged at week "), "no fixes printed: %s", r.out);
    cr_assert_not_null(strstr(r.out, "#1 Pick-list check at the packing bench"), "%s", r.out);
    cw_test_output_fini(&r);
    char path[400];
    snprintf(path, sizeof(path), "%s/report.html", out);
    char *html = cw_test_read_file(path, NULL);
    cr_assert_not_null(html, "demo.sh wrote no HTML report");
    cr_assert_not_null(strstr(html, "<polyline"));
    cr_assert_not_null(strstr(html, "<h2>Fixes</h2>"), "the demo's report has no Fixes");
    free(html);

    const char *weekly[] = {"docker/weekly.sh", NULL};
    cr_assert_eq(cw_test_run_program(&r, env, NULL, weekly), 0);
    cr_assert_eq(r.status, 0, "weekly.sh: %s", r.err);
    cr_assert_not_null(strstr(r.err, "weekly: ranked"), "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "remediation ranking, week "), "no ranking printed: %s",
                       r.out);
    /* "weekly: ranked WEEK, report PATH\n": the HTML report is there. */
    const char *at = strstr(r.err, ", report ");
    cr_assert_not_null(at);
    char report[400];
    snprintf(report, sizeof(report), "%.*s", (int)strcspn(at + 9, "\n"), at + 9);
    html = cw_test_read_file(report, NULL);
    cr_assert_not_null(html, "weekly.sh wrote no report at %s", report);
    cr_assert_not_null(strstr(html, "What to fix first"));
    /* The sample ends in the week weekly.sh ranks: its drift site is in that report
     * (an empty week ranks every area stable with no site). */
    cr_assert_not_null(strstr(html, "leeds"), "weekly.sh ranked a week without data");
    free(html);
    cw_test_output_fini(&r);
    const char *rm[] = {"rm", "-rf", out, NULL};
    cw_test_run_program(&r, NULL, NULL, rm);
    cw_test_output_fini(&r);
}

/*
 * weekly.sh as PID 1 of a container gets `docker stop`'s SIGTERM while it waits for
 * Monday: it must end at once with 143, not sit out the grace period and be killed.
 * (At start-up it catches up on a missing report: CAUSEWAY=true stands in for it.)
 */
Test(docker, weekly_ends_at_once_on_sigterm)
{
    char out[] = "/tmp/causeway-weekly.XXXXXX";
    cr_assert_not_null(mkdtemp(out));
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        setenv("CAUSEWAY", "true", 1);
        setenv("CW_REPORT_DIR", out, 1);
        unsetenv("CW_WEEKLY_ONCE");
        unsetenv("CW_WEEKLY_PLAN");
        execl("/bin/bash", "bash", "docker/weekly.sh", (char *)NULL);
        _exit(127);
    }
    struct timespec second = {1, 0};
    nanosleep(&second, NULL); /* into its wait for next Monday */
    cr_assert_eq(kill(pid, SIGTERM), 0);
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 40 && done == 0; i++) { /* 2 s at most */
        struct timespec tick = {0, 50 * 1000 * 1000};
        nanosleep(&tick, NULL);
        done = waitpid(pid, &status, WNOHANG);
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        cr_assert_fail("weekly.sh was still running 2 s after SIGTERM");
    }
    cr_assert(WIFEXITED(status), "weekly.sh died of a signal instead of handling it");
    cr_assert_eq(WEXITSTATUS(status), 143, "weekly.sh exited %d on SIGTERM", WEXITSTATUS(status));
    cw_test_output r;
    const char *rm[] = {"rm", "-rf", out, NULL};
    cw_test_run_program(&r, NULL, NULL, rm);
    cw_test_output_fini(&r);
}
