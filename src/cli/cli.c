/* cli.c - global options and command dispatch; see cli.h. */
#include "causeway/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

typedef struct command {
    const char *name;
    int (*fn)(cw_ctx *ctx, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", cw_cmd_run, "classify new complaints, detect decline, rank, store the week"},
    {"check", cw_cmd_check, "validate a rule set and run its inline examples"},
    {"classify", cw_cmd_classify, "classify text from a file or stdin (no database)"},
    {"coverage", cw_cmd_coverage, "how a rule set does on a corpus: gaps, dead rules, labels"},
    {"diff", cw_cmd_diff, "what changing a rule set changes, complaint by complaint"},
    {"report", cw_cmd_report, "render a stored week's ranking"},
    {"db", cw_cmd_db, "create (init) or upgrade (migrate) the results schema"},
    {"remediation", cw_cmd_remediation, "record a fix (add, list, show, end) and see its verdict"},
};

static void print_help(FILE *out)
{
    fputs("causeway - find the internal causes behind customer complaints, early.\n"
          "\n"
          "Usage:\n"
          "  causeway [-v|-q] COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Global options:\n"
          "  -v, --verbose   more diagnostics (twice: debug, may show complaint text)\n"
          "  -q, --quiet     errors only\n"
          "  -V, --version   print the version and exit\n"
          "  -h, --help      show this help and exit\n"
          "\n"
          "'causeway COMMAND --help' describes each command.\n"
          "\n"
          "Exit status:\n"
          "  0 ok (also: nothing to do)     64 usage error\n"
          "  65 invalid rules, data or      66 input file missing, unreadable or a\n"
          "     configuration file             directory\n"
          "  70 internal error              71 out of memory\n"
          "  74 local i/o error             75 temporary: database unreachable (refused,\n"
          "  77 permission/authentication      reset, timed out), connection lost, another\n"
          "     (also an unknown role)         run holds the lock, a lock or statement timeout\n"
          "  78 configuration error (also a database that does not exist or a bad\n"
          "     connection string: never 75)\n"
          "\n"
          "Database connection: -d/--dbname takes a conninfo string or URI; PGHOST,\n"
          "PGPORT, PGDATABASE, PGUSER, PGSERVICE and ~/.pgpass work as in psql.\n"
          "Environment: NO_COLOR disables colour.\n",
          out);
}

int cw_cli_usage_error(const cw_ctx *ctx, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(ctx->log.stream, "%s %s: ", ctx->prog, cmd);
    vfprintf(ctx->log.stream, fmt, ap);
    fprintf(ctx->log.stream, "\nTry '%s %s --help' for more information.\n", ctx->prog, cmd);
    va_end(ap);
    return CW_EXIT_USAGE;
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/*
 * A standard descriptor that was closed when we started would be handed out by the
 * next open(): the database socket would become "standard output" and a report would
 * be written into the protocol stream. Occupy each closed one before anything else is
 * opened: with /dev/null, read-only for stdout, so that results written to a closed
 * stdout fail (EBADF, exit 74) instead of vanishing. Returns whether fd 1 was closed.
 */
static bool reserve_standard_fds(void)
{
    bool stdout_closed = false;
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* open() takes the lowest free descriptor: the lower ones are open by now. */
        int got = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd) {
            dup2(got, fd);
            close(got);
        }
        if (fd == 1)
            stdout_closed = true;
    }
    return stdout_closed;
}

/* Results are only delivered once stdout is flushed: a full disk must not exit 0. */
static int finish_output(cw_ctx *ctx, int status)
{
    if (fflush(ctx->out) != 0 || ferror(ctx->out)) {
        if (status == CW_EXIT_OK || status == CW_EXIT_USAGE) {
            cw_error err;
            cw_error_clear(&err);
            cw_error_set(&err, CW_EXIT_IOERR, "could not write results to standard output: %s",
                         ctx->stdout_closed ? "it is closed" : strerror(errno != 0 ? errno : EIO));
            cw_log_error(&ctx->log, &err);
            return CW_EXIT_IOERR;
        }
    }
    return status;
}

int cw_cli_main(int argc, char **argv)
{
    static const struct option options[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cw_ctx ctx = {.prog = "causeway", .out = stdout, .stdout_closed = reserve_standard_fds()};
    int verbosity = CW_LOG_WARN;
    int c;

    cw_log_init(&ctx.log, stderr, ctx.prog, CW_LOG_WARN);
    /* '+' stops at the first non-option: the command's own options follow it. */
    while ((c = getopt_long(argc, argv, "+vqVh", options, NULL)) != -1) {
        switch (c) {
        case 'v':
            verbosity++;
            break;
        case 'q':
            verbosity = CW_LOG_QUIET;
            break;
        case 'V':
            fprintf(ctx.out, "causeway %s\n", CW_VERSION);
            return finish_output(&ctx, CW_EXIT_OK);
        case 'h':
            print_help(ctx.out);
            return finish_output(&ctx, CW_EXIT_OK);
        default:
            fprintf(stderr, "Try 'causeway --help' for more information.\n");
            return CW_EXIT_USAGE;
        }
    }
    if (verbosity > CW_LOG_DEBUG)
        verbosity = CW_LOG_DEBUG;
    ctx.log.level = (cw_log_level)verbosity;

    if (optind >= argc) {
        print_help(stderr);
        return CW_EXIT_USAGE;
    }
    const command *cmd = find_command(argv[optind]);
    if (cmd == NULL) {
        fprintf(stderr, "causeway: unknown command '%s'\n", argv[optind]);
        fprintf(stderr, "Try 'causeway --help' for more information.\n");
        return CW_EXIT_USAGE;
    }
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* glibc: 0 re-initialises getopt for the command's own parsing */
    return finish_output(&ctx, cmd->fn(&ctx, sub_argc, sub_argv));
}
