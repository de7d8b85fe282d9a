/* cmd_db.c - 'causeway db init|migrate': create or upgrade the results schema. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/store/config.h"
#include "causeway/store/db.h"
#include "causeway/store/schema.h"

static void print_help(FILE *out)
{
    fputs("Usage: causeway db init|migrate [OPTIONS]\n"
          "\n"
          "Create (init) or upgrade (migrate) causeway's results schema. Both are\n"
          "idempotent and apply the migrations in one transaction that holds the run lock.\n"
          "\n"
          "Options:\n"
          "  -d, --dbname=CONNINFO  database (conninfo or URI; default: PG* environment)\n"
          "      --schema=NAME      results schema (default: causeway)\n"
          "      --allow-shared-schema\n"
          "                         accept an existing schema on which roles other than its\n"
          "                         owner may CREATE (they could plant functions that run\n"
          "                         as whoever reads the results)\n"
          "      --connect-retry=SECONDS\n"
          "                         retry a refused, reset or timed-out connection for up\n"
          "                         to SECONDS (default: 0), e.g. while a container's\n"
          "                         server starts\n"
          "  -h, --help             show this help\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 75 database unreachable (refused, reset, timed out)\n"
          "or a run holds the lock, 77 permission, authentication or TLS (or a shared\n"
          "schema), 78 the schema is newer than this causeway, a database that does not\n"
          "exist or a bad connection string.\n",
          out);
}

/* Plain decimal seconds within 0..CW_CONFIG_MAX_CONNECT_RETRY. */
static int parse_seconds(unsigned *out, const char *text)
{
    size_t n = strlen(text);
    if (n == 0 || n > 4 || strspn(text, "0123456789") != n)
        return -1;
    unsigned long v = strtoul(text, NULL, 10);
    if (v > CW_CONFIG_MAX_CONNECT_RETRY)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int cw_cmd_db(cw_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"schema", required_argument, NULL, 's'},
        {"allow-shared-schema", no_argument, NULL, 'a'},
        {"connect-retry", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbname = NULL, *schema = "causeway";
    bool allow_shared = false;
    unsigned retry = 0;
    int c;
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbname = optarg;
            break;
        case 's':
            schema = optarg;
            break;
        case 'a':
            allow_shared = true;
            break;
        case 'r':
            if (parse_seconds(&retry, optarg) != 0)
                return cw_cli_usage_error(
                    ctx, "db", "--connect-retry: '%s' is not a whole number from 0 to %d", optarg,
                    CW_CONFIG_MAX_CONNECT_RETRY);
            break;
        case 'h':
            print_help(ctx->out);
            return CW_EXIT_OK;
        default:
            return cw_cli_usage_error(ctx, "db", "unknown option");
        }
    }
    if (optind + 1 != argc ||
        (strcmp(argv[optind], "init") != 0 && strcmp(argv[optind], "migrate") != 0))
        return cw_cli_usage_error(ctx, "db", "expected 'init' or 'migrate'");

    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    int applied = 0;
    if (cw_config_check_schema(schema, &err) == 0 &&
        cw_db_connect_retry(&db, dbname, retry, NULL, NULL, &ctx->log, &err) == 0 &&
        cw_schema_migrate(db, schema, allow_shared, &applied, &err) == 0 &&
        ctx->log.level > CW_LOG_QUIET) /* -q: errors only, the status line too */
        fprintf(ctx->out, "results schema '%s' at version %d (%d migration%s applied)\n", schema,
                cw_schema_version(), applied, applied == 1 ? "" : "s");
    cw_db_free(db);
    if (err.code != 0) {
        cw_log_error(&ctx->log, &err);
        return err.code;
    }
    return CW_EXIT_OK;
}
