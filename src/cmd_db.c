/* cmd_db.c - 'causeway db init|migrate': create or upgrade the results schema. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "causeway/cli.h"
#include "causeway/db.h"
#include "causeway/schema.h"

static void db_help(FILE *out)
{
    fputs("usage: causeway db init|migrate [-d CONNINFO] [--schema NAME]\n"
          "\n"
          "Create (init) or upgrade (migrate) the results schema. Both are idempotent.\n"
          "\n"
          "  -d, --dbname CONNINFO  conninfo string or URI (default: PG* environment)\n"
          "      --schema NAME      results schema (default: causeway)\n"
          "  -h, --help             show this help\n",
          out);
}

int cw_cmd_db(cw_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"schema", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = NULL;
    const char *schema = "causeway";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            conninfo = optarg;
            break;
        case 's':
            schema = optarg;
            break;
        case 'h':
            db_help(ctx->out);
            return CW_EXIT_OK;
        default:
            return cw_cli_usage_error(ctx, "db", "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cw_cli_usage_error(ctx, "db", "missing subcommand (init or migrate)");
    const char *sub = argv[optind++];
    bool init = strcmp(sub, "init") == 0;
    if (!init && strcmp(sub, "migrate") != 0)
        return cw_cli_usage_error(ctx, "db", "unknown subcommand '%s' (init or migrate)", sub);
    /* Options may also follow the subcommand. */
    while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            conninfo = optarg;
            break;
        case 's':
            schema = optarg;
            break;
        case 'h':
            db_help(ctx->out);
            return CW_EXIT_OK;
        default:
            return cw_cli_usage_error(ctx, "db", "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cw_cli_usage_error(ctx, "db", "unexpected argument '%s'", argv[optind]);
    if (schema[0] == '\0')
        return cw_cli_usage_error(ctx, "db", "--schema must not be empty");

    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    int applied = 0;
    if (cw_db_connect(&db, conninfo, &ctx->log, &err) != 0 ||
        cw_schema_migrate(db, schema, &ctx->log, &applied, &err) != 0) {
        cw_db_free(db);
        cw_log_error(&ctx->log, &err);
        return err.code;
    }
    cw_db_free(db);
    int latest = cw_schema_latest();
    if (init && applied > 0 && applied == latest)
        fprintf(ctx->out, "created results schema '%s'\n", schema);
    fprintf(ctx->out, "results schema '%s' at version %d (applied %d)\n", schema, latest, applied);
    if (fflush(ctx->out) != 0 || ferror(ctx->out)) {
        cw_error_set(&err, CW_EXIT_IOERR, "cannot write to standard output");
        cw_log_error(&ctx->log, &err);
        return err.code;
    }
    return CW_EXIT_OK;
}
