/* cmd_run.c - 'causeway run': parse options, run the job; see run.h. */
#include "causeway/cli/cli.h"
#include "causeway/cli/options.h"
#include "causeway/cli/run.h"

static void print_help(FILE *out)
{
    fputs("Usage: causeway run [OPTIONS]\n"
          "\n"
          "Classify the complaints not yet classified under the rule set, aggregate weekly\n"
          "series, detect decline, rank the cause areas, judge every fix recorded with\n"
          "'causeway remediation add', store the ranking and the verdicts of the target\n"
          "week and print them. Everything is written in one transaction.\n"
          "\n"
          "Options:\n"
          "  -d, --dbname=CONNINFO    database (conninfo or URI; default: PG* environment)\n"
          "  -c, --config=FILE        configuration file (YAML; see causeway(1))\n"
          "  -r, --rules=FILE         rule set (default: the built-in rule set)\n"
          "      --schema=NAME        results schema (default: causeway)\n"
          "  -w, --week=WEEK[..WEEK]  target ISO week (2026-W46) or a range to backfill;\n"
          "                           default: the last complete week; a range stores\n"
          "                           every week and prints the last one\n"
          "      --timezone=ZONE      time zone of the ISO weeks (default: UTC)\n"
          "      --lookback-weeks=N   history classified and analysed (default: 104)\n"
          "      --baseline-weeks=N   frozen baseline window (default: 26)\n"
          "      --recent-weeks=N     window of the volume and evidence (default: 4)\n"
          "      --format=FORMAT      table, markdown, csv, json or html; applies to the\n"
          "                           next -o, or to standard output\n"
          "  -o, --output=FILE        write the ranking to FILE (atomically) instead of\n"
          "                           standard output; repeatable; the format follows\n"
          "                           --format or the file's extension\n"
          "      --top=N              items per section in table/markdown/html (default: 10)\n"
          "      --snippets           show matched snippets in table/markdown output\n"
          "      --changes-only       only what changed since the previous stored week\n"
          "      --allow-partial      rank the current week although it has not ended\n"
          "      --connect-retry=SECONDS\n"
          "                           retry a refused, reset or timed-out connection at\n"
          "                           start-up for up to SECONDS, with backoff (default: 10;\n"
          "                           0 fails at once); a wrong password or a database that\n"
          "                           does not exist fails at once\n"
          "      --strict             fail (65) on source rows with a NULL id or received_at,\n"
          "                           a repeated id or a future date, instead of skipping\n"
          "                           and reporting them\n"
          "      --allow-shared-schema\n"
          "                           accept a results schema on which other roles may\n"
          "                           CREATE (they could plant code that runs as readers)\n"
          "  -h, --help               show this help\n"
          "\n"
          "Every statement waits at most lock_timeout (default 60 s) for a lock and runs at\n"
          "most statement_timeout (default 3600 s); set them in the configuration file.\n"
          "With source.columns.updated_at mapped, a run reads only the rows changed since\n"
          "the last one (see causeway(1), INCREMENTAL RUNS).\n"
          "\n"
          "A run takes two database connections at once; behind a connection pooler, allow\n"
          "each causeway role two server connections (see causeway(1), BEHIND A CONNECTION\n"
          "POOLER).\n"
          "\n"
          "Exit status: 0 ok, 64 usage (also a week that has not begun, or not ended without\n"
          "--allow-partial), 65 invalid rules, configuration file or (--strict) source data,\n"
          "75 database unreachable (refused, reset, timed out), connection lost, another run\n"
          "holds the lock or wrote the same results, a lock or statement timeout, or\n"
          "interrupted, 77 permission, authentication, TLS or a shared results schema, 78\n"
          "configuration or schema (also: a database that does not exist, a bad connection\n"
          "string).\n",
          out);
}

int cw_cmd_run(cw_ctx *ctx, int argc, char **argv)
{
    cw_options o;
    int rc = cw_options_parse(&o, ctx, "run", CW_OPT_RUN, argc, argv);
    if (rc != 0)
        return rc;
    if (o.help)
        print_help(ctx->out);
    else
        rc = cw_run_execute(ctx, &o);
    cw_options_fini(&o);
    return rc;
}
