/*
 * test_config.c - the configuration file loader: a full valid file overrides
 * every default (relative rules path resolved against the file's directory,
 * null / "" optional columns become absent); empty and comment-only files
 * override nothing; every fault class is refused with its exact
 * file:line:col, message and exit code, also written to the diagnostics
 * stream; unreadable, directory, FIFO and oversized files are refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/store/config.h"
#include "support.h"

#define DATA "tests/data/config/"

typedef struct loaded {
    int rc;
    cw_config cfg;
    cw_error err;
    char *diag;
    size_t diag_len;
} loaded;

static void load_file(loaded *l, const char *path)
{
    memset(l, 0, sizeof(*l));
    cw_error_clear(&l->err);
    cw_error init_err;
    cw_error_clear(&init_err);
    cr_assert_eq(cw_config_init(&l->cfg, &init_err), 0);
    FILE *diag = open_memstream(&l->diag, &l->diag_len);
    cr_assert_not_null(diag);
    l->rc = cw_config_load(&l->cfg, path, diag, &l->err);
    fclose(diag);
}

static void loaded_fini(loaded *l)
{
    cw_config_fini(&l->cfg);
    free(l->diag);
}

/* The file fails with `code` at line:col, message containing `what`, echoed to diag. */
static void expect_error(const char *file, unsigned line, unsigned col, const char *what)
{
    char path[256];
    snprintf(path, sizeof(path), DATA "%s", file);
    loaded l;
    load_file(&l, path);
    cr_assert_eq(l.rc, -1, "%s loaded", file);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR, "%s: code %d: %s", file, l.err.code, l.err.message);
    char expect[512];
    snprintf(expect, sizeof(expect), "%s:%u:%u: error: ", path, line, col);
    cr_assert(strstr(l.diag, expect) != NULL, "%s: want '%s' in: %s", file, expect, l.diag);
    cr_assert(strstr(l.diag, what) != NULL, "%s: want '%s' in: %s", file, what, l.diag);
    cr_assert(strstr(l.err.message, what) != NULL, "%s: %s", file, l.err.message);
    loaded_fini(&l);
}

Test(config, full_file_overrides_every_default)
{
    loaded l;
    load_file(&l, DATA "valid_full.yaml");
    cr_assert_eq(l.rc, 0, "%s", l.err.message);
    cr_assert_eq(l.diag_len, 0);
    cr_assert_str_eq(l.cfg.dbname, "postgresql://causeway@db/complaints");
    cr_assert_str_eq(l.cfg.schema, "cw_results");
    cr_assert_str_eq(l.cfg.rules_path, "tests/data/config/rules/site.yaml",
                     "relative to the file's directory");
    cr_assert_str_eq(l.cfg.timezone, "Europe/London");
    cr_assert_eq(l.cfg.lookback_weeks, 52);
    cr_assert_eq(l.cfg.baseline_weeks, 13);
    cr_assert_eq(l.cfg.recent_weeks, 2);
    cr_assert_eq(l.cfg.top, 0);
    cr_assert_eq(l.cfg.connect_retry, 45);
    cr_assert_str_eq(l.cfg.source_table, "ops.complaint_view");
    cr_assert_str_eq(l.cfg.columns[CW_COL_ID], "cid");
    cr_assert_str_eq(l.cfg.columns[CW_COL_RECEIVED_AT], "created");
    cr_assert_str_eq(l.cfg.columns[CW_COL_BODY], "text");
    cr_assert_str_eq(l.cfg.columns[CW_COL_CHANNEL], "via");
    cr_assert_null(l.cfg.columns[CW_COL_SITE], "null: absent");
    cr_assert_null(l.cfg.columns[CW_COL_PRODUCT], "\"\": absent");
    cr_assert_null(l.cfg.columns[CW_COL_SEGMENT], "~: absent");
    cr_assert_str_eq(l.cfg.exposure_table, "ops.orders");
    cr_assert_str_eq(l.cfg.exposure_columns[CW_EXP_WEEK], "iso_week");
    cr_assert_str_eq(l.cfg.exposure_columns[CW_EXP_SITE], "depot");
    cr_assert_str_eq(l.cfg.exposure_columns[CW_EXP_VOLUME], "orders");
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_config_validate(&l.cfg, &err), 0, "%s", err.message);
    loaded_fini(&l);
}

static void expect_defaults(const char *file)
{
    loaded l;
    load_file(&l, file);
    cr_assert_eq(l.rc, 0, "%s: %s", file, l.err.message);
    cr_assert_str_eq(l.cfg.schema, "causeway");
    cr_assert_str_eq(l.cfg.source_table, "public.complaints");
    cr_assert_str_eq(l.cfg.columns[CW_COL_SEGMENT], "segment");
    cr_assert_eq(l.cfg.lookback_weeks, 104);
    cr_assert_eq(l.cfg.connect_retry, -1, "the command's own default");
    cr_assert_null(l.cfg.rules_path);
    cr_assert_null(l.cfg.exposure_table);
    loaded_fini(&l);
}

Test(config, empty_and_comment_only_files_override_nothing)
{
    expect_defaults(DATA "empty.yaml");
    expect_defaults(DATA "comment_only.yaml");
}

Test(config, absolute_rules_path_is_kept_and_bare_file_name_is_not_joined)
{
    cw_config c;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_config_init(&c, &err), 0);
    const char *abs = "rules: /etc/causeway/rules.yaml\n";
    cr_assert_eq(cw_config_parse(&c, "conf/causeway.yaml", abs, strlen(abs), NULL, &err), 0);
    cr_assert_str_eq(c.rules_path, "/etc/causeway/rules.yaml");
    const char *rel = "rules: r.yaml\n";
    cr_assert_eq(cw_config_parse(&c, "causeway.yaml", rel, strlen(rel), NULL, &err), 0);
    cr_assert_str_eq(c.rules_path, "r.yaml");
    cw_config_fini(&c);
}

Test(config, unknown_keys_are_refused_where_written)
{
    expect_error("unknown_key.yaml", 2, 1, "unknown key 'lookbak_weeks' at the top level");
    expect_error("unknown_column.yaml", 5, 5, "unknown key 'colour' in 'source.columns'");
    expect_error("unknown_source_key.yaml", 2, 3, "unknown key 'tabel' in 'source'");
}

Test(config, wrong_kinds_are_refused)
{
    expect_error("wrong_kind_list.yaml", 1, 9, "'schema' must be a string, not a list");
    expect_error("wrong_kind_section.yaml", 2, 9, "'source' must be a mapping, not a scalar");
    expect_error("top_not_mapping.yaml", 1, 1,
                 "top level of a configuration file must be a mapping");
    expect_error("required_column_null.yaml", 3, 8,
                 "'source.columns.id' must be a string, not null");
}

Test(config, lax_numbers_are_refused)
{
    expect_error("quoted_number.yaml", 1, 17,
                 "'lookback_weeks' must be a whole number, not a quoted");
    expect_error("lax_exponent.yaml", 2, 17, "'lookback_weeks' must be a whole number in 8..1040");
    expect_error("lax_hex.yaml", 1, 15, "'recent_weeks' must be a whole number in 1..26");
    expect_error("lax_octal.yaml", 1, 17, "'baseline_weeks' must be a whole number in 4..1039");
    expect_error("lax_junk.yaml", 1, 17, "'lookback_weeks' must be a whole number");
    expect_error("negative.yaml", 1, 17, "'baseline_weeks' must be a whole number");
    expect_error("huge_number.yaml", 1, 17, "'lookback_weeks' must be a whole number");
    expect_error("out_of_range.yaml", 2, 15, "'recent_weeks' is outside 1..26");
    expect_error("connect_retry_too_long.yaml", 1, 16, "'connect_retry' is outside 0..3600");
}

Test(config, hostile_yaml_is_refused_by_the_shared_position_pass)
{
    expect_error("second_document.yaml", 2, 1, "a second YAML document: a configuration file");
    expect_error("alias.yaml", 1, 9, "YAML anchors (&name) are not allowed in a configuration");
    expect_error("alias_undefined.yaml", 1, 11, "YAML aliases (*name) are not allowed");
    expect_error("tag.yaml", 1, 9, "YAML tags (!name) are not allowed");
    expect_error("duplicate_key.yaml", 2, 1, "duplicate key 'schema' (first at line 1)");
    expect_error("invalid_utf8.yaml", 1, 13, "invalid UTF-8 byte 0xC3");
    expect_error("syntax_error.yaml", 2, 1, "invalid YAML");
}

Test(config, missing_directory_fifo_and_oversized_files)
{
    loaded l;
    load_file(&l, DATA "does_not_exist.yaml");
    cr_assert_eq(l.err.code, CW_EXIT_NOINPUT);
    cr_assert(strstr(l.diag,
                     "does_not_exist.yaml: error: cannot open configuration file: No such") != NULL,
              "%s", l.diag);
    loaded_fini(&l);

    load_file(&l, "tests/data/config");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.err.code, CW_EXIT_NOINPUT);
    cr_assert(strstr(l.diag, "is a directory") != NULL, "%s", l.diag);
    loaded_fini(&l);

    char fifo[] = "/tmp/cw_config_fifoXXXXXX";
    cr_assert_not_null(mkdtemp(fifo));
    char fpath[64];
    snprintf(fpath, sizeof(fpath), "%s/f", fifo);
    cr_assert_eq(mkfifo(fpath, 0600), 0);
    load_file(&l, fpath);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert(strstr(l.diag, "not a regular file") != NULL, "%s", l.diag);
    loaded_fini(&l);
    unlink(fpath);
    rmdir(fifo);

    size_t big = CW_CONFIG_MAX_FILE_BYTES + 1;
    char *text = malloc(big);
    cr_assert_not_null(text);
    memset(text, '#', big);
    char *tmp = cw_test_write_temp(text, big);
    load_file(&l, tmp);
    cr_assert_eq(l.err.code, CW_EXIT_DATAERR);
    cr_assert(
        strstr(l.diag, "configuration file is too large (1048577 bytes; the limit is 1048576)") !=
            NULL,
        "%s", l.diag);
    loaded_fini(&l);
    unlink(tmp);
    free(tmp);
    free(text);
}

Test(config, unreadable_file_is_noinput)
{
    if (geteuid() == 0)
        cr_skip_test("root reads any file");
    char *tmp = cw_test_write_temp("schema: x\n", 10);
    cr_assert_eq(chmod(tmp, 0), 0);
    loaded l;
    load_file(&l, tmp);
    cr_assert_eq(l.err.code, CW_EXIT_NOINPUT);
    cr_assert(strstr(l.diag, "Permission denied") != NULL, "%s", l.diag);
    loaded_fini(&l);
    unlink(tmp);
    free(tmp);
}

/*
 * Fail every allocation of the loader in turn (CW_FAULT_RULES_ALLOC=N, the
 * shared allocator, test builds only): each attempt ends in exit 71 or, once N
 * is past the last allocation, success. Leaks fail the run (LeakSanitizer).
 */
Test(config, every_allocation_failure_ends_in_71)
{
#ifdef CW_FAULT_HOOKS
    int oom_seen = 0;
    for (unsigned long n = 1; n < 1000; n++) {
        char value[32];
        snprintf(value, sizeof(value), "%lu", n);
        setenv("CW_FAULT_RULES_ALLOC", value, 1);
        loaded l;
        load_file(&l, DATA "valid_full.yaml");
        int code = l.err.code;
        loaded_fini(&l);
        if (code == CW_EXIT_OSERR) {
            oom_seen++;
            continue;
        }
        cr_assert_eq(code, 0, "n=%lu: code %d: %s", n, code, l.err.message);
        cr_assert_gt(oom_seen, 2, "allocations were failed");
        unsetenv("CW_FAULT_RULES_ALLOC");
        return;
    }
    cr_assert_fail("allocation failures never ended");
#else
    cr_skip_test("fault hooks are compiled only in the asan variant");
#endif
}

Test(config, failed_load_leaves_earlier_keys_applied_and_config_valid)
{
    loaded l;
    load_file(&l, DATA "lax_exponent.yaml");
    cr_assert_eq(l.rc, -1);
    cr_assert_eq(l.cfg.top, 5, "the key before the error was applied");
    cr_assert_eq(l.cfg.lookback_weeks, 104, "the bad key kept its default");
    cr_assert_str_eq(l.cfg.schema, "causeway");
    cr_assert_eq(strchr(l.diag, '\n'), l.diag + l.diag_len - 1, "one line: %s", l.diag);
    loaded_fini(&l);
}

Test(config, dimensions_are_a_list_of_known_source_columns)
{
    expect_error("dimension_unknown.yaml", 1, 23,
                 "'dimensions' entries are site, channel, product or segment");
    expect_error("dimension_twice.yaml", 3, 5, "'dimensions' names 'channel' twice");
    expect_error("dimension_not_list.yaml", 1, 13,
                 "'dimensions' must be a list of source columns, not a scalar");

    cw_config c;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_config_init(&c, &err), 0);
    cr_assert(c.dimensions[CW_COL_SITE], "site is the default dimension");
    cr_assert(!c.dimensions[CW_COL_CHANNEL] && !c.dimensions[CW_COL_PRODUCT]);
    const char *yaml = "dimensions: [product]\n";
    cr_assert_eq(cw_config_parse(&c, "x.yaml", yaml, strlen(yaml), NULL, &err), 0, "%s",
                 err.message);
    cr_assert(c.dimensions[CW_COL_PRODUCT] && c.dimensions[CW_COL_SITE], "site stays");
    cr_assert_eq(cw_config_validate(&c, &err), 0, "%s", err.message);
    /* A dimension must be a mapped column (78), site need not be (it just has no series). */
    cr_assert_eq(cw_config_set(&c.columns[CW_COL_PRODUCT], NULL, &err), 0);
    cr_assert_eq(cw_config_set(&c.columns[CW_COL_SITE], NULL, &err), 0);
    cr_assert_eq(cw_config_validate(&c, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_CONFIG);
    cr_assert_str_eq(err.message, "dimensions: 'product' is not mapped in source.columns");
    cw_config_fini(&c);
}
