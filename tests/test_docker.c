/*
 * test_docker.c - the deployment files, checked where Docker itself is absent:
 * the compose file validates, the Kubernetes manifest is well-formed YAML, and
 * the containers' entrypoint scripts (docker/demo.sh, docker/weekly.sh) run
 * natively against the throwaway PostgreSQL with the binary under test.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    free(text);
    char *unit = cw_test_read_file("docker/schedule/causeway.service", NULL);
    cr_assert_not_null(strstr(unit, "SuccessExitStatus=75"));
    free(unit);
    char *timer = cw_test_read_file("docker/schedule/causeway.timer", NULL);
    cr_assert_not_null(strstr(timer, "Persistent=true"));
    free(timer);
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
    cw_test_output_fini(&r);
    char path[400];
    snprintf(path, sizeof(path), "%s/report.html", out);
    char *html = cw_test_read_file(path, NULL);
    cr_assert_not_null(html, "demo.sh wrote no HTML report");
    cr_assert_not_null(strstr(html, "<polyline"));
    free(html);

    const char *weekly[] = {"docker/weekly.sh", NULL};
    cr_assert_eq(cw_test_run_program(&r, env, NULL, weekly), 0);
    cr_assert_eq(r.status, 0, "weekly.sh: %s", r.err);
    cr_assert_not_null(strstr(r.err, "weekly: ranked"), "stderr: %s", r.err);
    cw_test_output_fini(&r);
    const char *rm[] = {"rm", "-rf", out, NULL};
    cw_test_run_program(&r, NULL, NULL, rm);
    cw_test_output_fini(&r);
}
