/* cmd_report.c - 'causeway report': render a stored week's ranking. */
#include "causeway/cli/cli.h"
#include "causeway/store/db.h"
#include "causeway/report/evidence.h"
#include "causeway/cli/options.h"
#include "causeway/report/output.h"
#include "causeway/store/schema.h"
#include "causeway/analysis/ranking_store.h"

#include <stdlib.h>

static void print_help(FILE *out)
{
    fputs("Usage: causeway report [OPTIONS]\n"
          "\n"
          "Render a stored week's ranking (default: the latest stored week). Every format\n"
          "opens with what changed since the previous stored week; each item names its\n"
          "drivers, the symptom series inside it that are flagged, and the Fixes section\n"
          "gives the verdict on each recorded fix.\n"
          "\n"
          "Options:\n"
          "  -d, --dbname=CONNINFO    database (conninfo or URI; default: PG* environment)\n"
          "  -c, --config=FILE        configuration file (YAML; see causeway(1))\n"
          "      --schema=NAME        results schema (default: causeway)\n"
          "  -w, --week=WEEK          ISO week (2026-W46) or a date in it\n"
          "      --format=FORMAT      table (default), markdown, csv, json or html; applies\n"
          "                           to the next -o, or to standard output\n"
          "  -o, --output=FILE        write to FILE (atomically) instead of standard output;\n"
          "                           the format follows --format or the file's extension\n"
          "      --top=N              items per section in table/markdown/html (default: 10)\n"
          "      --snippets           show matched snippets in table/markdown output\n"
          "      --changes-only       only what changed since the previous stored week\n"
          "      --connect-retry=SECONDS\n"
          "                           retry a refused, reset or timed-out connection\n"
          "                           for up to SECONDS (default: 0, fail at once)\n"
          "  -h, --help               show this help\n"
          "\n"
          "Example snippets are cut from the source when the report is made (the results\n"
          "keep offsets only): give the configuration 'run' uses (-c) so it finds the source.\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 invalid configuration file, 66 no ranking stored\n"
          "for the week, 74 output error, 75 database unreachable (refused, reset, timed out)\n"
          "or a timeout, 77 permission, authentication or TLS, 78 configuration or schema\n"
          "(also: a database that does not exist, a bad connection string).\n",
          out);
}

static int render(cw_ctx *ctx, const cw_options *o, cw_error *err)
{
    cw_db *db = NULL;
    char *schema = NULL;
    cw_ranking r = {0};
    int rc = -1;
    unsigned retry = o->config.connect_retry >= 0 ? (unsigned)o->config.connect_retry : 0;
    if (cw_db_connect_retry(&db, o->config.dbname, retry, NULL, NULL, &ctx->log, err) != 0)
        goto done;
    cw_db_set_timeouts(db, o->config.lock_timeout, o->config.statement_timeout);
    if (cw_schema_check(db, o->config.schema, err) != 0 ||
        cw_db_quote_ident(&schema, db, o->config.schema, err) != 0 ||
        cw_stored_load(&r, db, schema, !o->have_week, o->week_from, err) != 0 ||
        cw_evidence_show(&r, db, &o->config, &ctx->log, err) != 0)
        goto done;
    rc = 0;
    for (size_t i = 0; i < o->output_count && rc == 0; i++) {
        cw_report_options ro = cw_options_report(o, &o->outputs[i], ctx->out);
        rc = cw_output_write(o->outputs[i].path, ctx->out, &r, &ro, err);
    }
done:
    cw_ranking_fini(&r);
    free(schema);
    cw_db_free(db);
    return rc;
}

int cw_cmd_report(cw_ctx *ctx, int argc, char **argv)
{
    cw_options o;
    int rc = cw_options_parse(&o, ctx, "report", CW_OPT_REPORT, argc, argv);
    if (rc != 0)
        return rc;
    if (o.help) {
        print_help(ctx->out);
    } else {
        cw_error err;
        cw_error_clear(&err);
        if (render(ctx, &o, &err) != 0) {
            cw_log_error(&ctx->log, &err);
            rc = err.code;
        }
    }
    cw_options_fini(&o);
    return rc;
}
