/* cmd_remediation.c - 'causeway remediation add|list|show|end': record fixes, see verdicts. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/store/config.h"
#include "causeway/store/db.h"
#include "causeway/analysis/fixes.h"
#include "causeway/util/json.h"
#include "causeway/analysis/ranking_json.h"
#include "causeway/store/remediation.h"
#include "causeway/report/report.h"
#include "causeway/report/report_fixes.h"
#include "causeway/rules/rules.h"
#include "causeway/store/schema.h"
#include "causeway/util/text.h"

static void print_help(FILE *out)
{
    fputs("Usage: causeway remediation add --area AREA [--symptom SYMPTOM] [--site SITE]\n"
          "                              --started WEEK --title TEXT [--owner TEXT]\n"
          "                              [--expected-cut PCT] [--settling-weeks N] [OPTIONS]\n"
          "       causeway remediation list [--open|--all] [--format table|csv|json] [OPTIONS]\n"
          "       causeway remediation show ID [--format table|json] [OPTIONS]\n"
          "       causeway remediation end ID --week WEEK [--note TEXT] [OPTIONS]\n"
          "\n"
          "Record a fix of a cause area (rank -> fix -> record -> verdict): every run then\n"
          "compares the complaints of its target before the fix with those after it and\n"
          "says whether it is working, not yet known (and how many more weeks it needs),\n"
          "without effect, or worse; reports show it in their \"Fixes\" section.\n"
          "\n"
          "add: the target is the cause area (its ids are the rule set's), one of its\n"
          "symptoms, at every site or at one site the results know. --started is the ISO\n"
          "week (2026-W10) or a date in it, not in the future; the first --settling-weeks\n"
          "(default 2) after it count neither as before nor after. --expected-cut is the\n"
          "cut in complaints the owner expects, in % (the verdict says whether it is\n"
          "reached). Prints the new fix's number. Nothing is written on any error.\n"
          "list: the open fixes (--all: also the ended ones), with their latest verdict.\n"
          "show: one fix and its latest verdict.  end: the fix stopped in WEEK.\n"
          "\n"
          "Options:\n"
          "  -d, --dbname=CONNINFO  database (conninfo or URI; default: PG* environment)\n"
          "  -c, --config=FILE      configuration file (YAML; see causeway(1))\n"
          "  -r, --rules=FILE       rule set add checks ids against (default: built-in)\n"
          "      --schema=NAME      results schema (default: causeway)\n"
          "      --timezone=ZONE    time zone of the current week (default: UTC)\n"
          "  -h, --help             show this help\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 invalid value (unknown id or site, a week in\n"
          "the future, an empty title, no such fix), 66 rule file unreadable, 75 database\n"
          "unreachable, 77 permission (a read-only role can list and show, not add or end),\n"
          "78 configuration or schema.\n",
          out);
}

enum {
    OPT_SCHEMA = 256,
    OPT_TIMEZONE,
    OPT_AREA,
    OPT_SYMPTOM,
    OPT_SITE,
    OPT_STARTED,
    OPT_TITLE,
    OPT_OWNER,
    OPT_CUT,
    OPT_SETTLING,
    OPT_OPEN,
    OPT_ALL,
    OPT_FORMAT,
    OPT_NOTE,
};

typedef enum verb { ADD, LIST, SHOW, END } verb;
static const char *const verbs[] = {"add", "list", "show", "end"};

typedef struct args {
    verb verb;
    const char *dbname, *config, *rules, *schema, *timezone;
    const char *area, *symptom, *site, *started, *title, *owner, *cut, *settling;
    const char *week, *note, *format;
    bool all;
    long long id;
    bool help;
} args;

typedef struct session {
    cw_ctx *ctx;
    const args *a;
    cw_config config;
    cw_db *db;
    char *schema; /* quoted */
    cw_error err;
} session;

/* Which verb may take option c. */
static bool allowed(verb v, int c)
{
    switch (c) {
    case 'r':
    case OPT_AREA:
    case OPT_SYMPTOM:
    case OPT_SITE:
    case OPT_STARTED:
    case OPT_TITLE:
    case OPT_OWNER:
    case OPT_CUT:
    case OPT_SETTLING:
        return v == ADD;
    case OPT_OPEN:
    case OPT_ALL:
        return v == LIST;
    case OPT_FORMAT:
        return v == LIST || v == SHOW;
    case 'w':
    case OPT_NOTE:
        return v == END;
    default:
        return true;
    }
}

static const char **slot(args *a, int c)
{
    switch (c) {
    case 'd':
        return &a->dbname;
    case 'c':
        return &a->config;
    case 'r':
        return &a->rules;
    case OPT_SCHEMA:
        return &a->schema;
    case OPT_TIMEZONE:
        return &a->timezone;
    case OPT_AREA:
        return &a->area;
    case OPT_SYMPTOM:
        return &a->symptom;
    case OPT_SITE:
        return &a->site;
    case OPT_STARTED:
        return &a->started;
    case OPT_TITLE:
        return &a->title;
    case OPT_OWNER:
        return &a->owner;
    case OPT_CUT:
        return &a->cut;
    case OPT_SETTLING:
        return &a->settling;
    case OPT_FORMAT:
        return &a->format;
    case 'w':
        return &a->week;
    case OPT_NOTE:
        return &a->note;
    default:
        return NULL;
    }
}

static int parse_id(args *a, const cw_ctx *ctx, const char *text)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v <= 0 || text[0] == '+')
        return cw_cli_usage_error(ctx, "remediation", "'%s' is not a fix number", text);
    a->id = v;
    return 0;
}

static int check_required(const args *a, const cw_ctx *ctx)
{
    const char *cmd = "remediation";
    if (a->verb == ADD && (a->area == NULL || a->started == NULL || a->title == NULL))
        return cw_cli_usage_error(ctx, cmd, "add needs --area, --started and --title");
    if ((a->verb == SHOW || a->verb == END) && a->id == 0)
        return cw_cli_usage_error(ctx, cmd, "%s needs the fix's number", verbs[a->verb]);
    if (a->verb == END && a->week == NULL)
        return cw_cli_usage_error(ctx, cmd, "end needs --week");
    if (a->format != NULL && strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0 &&
        (a->verb != LIST || strcmp(a->format, "csv") != 0))
        return cw_cli_usage_error(ctx, cmd, "unknown format '%s' for %s", a->format,
                                  verbs[a->verb]);
    return 0;
}

static int parse_args(args *a, const cw_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"rules", required_argument, NULL, 'r'},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"timezone", required_argument, NULL, OPT_TIMEZONE},
        {"area", required_argument, NULL, OPT_AREA},
        {"symptom", required_argument, NULL, OPT_SYMPTOM},
        {"site", required_argument, NULL, OPT_SITE},
        {"started", required_argument, NULL, OPT_STARTED},
        {"title", required_argument, NULL, OPT_TITLE},
        {"owner", required_argument, NULL, OPT_OWNER},
        {"expected-cut", required_argument, NULL, OPT_CUT},
        {"settling-weeks", required_argument, NULL, OPT_SETTLING},
        {"open", no_argument, NULL, OPT_OPEN},
        {"all", no_argument, NULL, OPT_ALL},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"week", required_argument, NULL, 'w'},
        {"note", required_argument, NULL, OPT_NOTE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        a->help = argc >= 2;
        return argc >= 2
                   ? 0
                   : cw_cli_usage_error(ctx, "remediation", "expected add, list, show or end");
    }
    size_t v = 0;
    while (v < 4 && strcmp(argv[1], verbs[v]) != 0)
        v++;
    if (v == 4)
        return cw_cli_usage_error(ctx, "remediation", "unknown verb '%s' (add, list, show, end)",
                                  argv[1]);
    a->verb = (verb)v;
    int c;
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "d:c:r:w:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            a->help = true;
            return 0;
        }
        if (c == '?' || c == ':')
            return cw_cli_usage_error(ctx, "remediation", "unknown option or missing value");
        if (!allowed(a->verb, c)) {
            const char *name = "?";
            for (const struct option *o = longopts; o->name != NULL; o++)
                if (o->val == c)
                    name = o->name;
            return cw_cli_usage_error(ctx, "remediation", "--%s is not an option of '%s'", name,
                                      verbs[a->verb]);
        }
        if (c == OPT_OPEN || c == OPT_ALL)
            a->all = c == OPT_ALL;
        else
            *slot(a, c) = optarg;
    }
    int rest = argc - 1 - optind;
    char **args_left = argv + 1 + optind;
    if ((a->verb == SHOW || a->verb == END) && rest >= 1 && parse_id(a, ctx, args_left[0]) != 0)
        return CW_EXIT_USAGE;
    int expected = a->verb == SHOW || a->verb == END ? 1 : 0;
    if (rest > expected)
        return cw_cli_usage_error(ctx, "remediation", "unexpected argument '%s'",
                                  args_left[expected]);
    return check_required(a, ctx);
}

/* A whole number (0..max) or a percentage; malformed text is a usage error. */
static int parse_number(double *out, const cw_ctx *ctx, const char *opt, const char *text)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || text[0] == ' ')
        return cw_cli_usage_error(ctx, "remediation", "%s: '%s' is not a number", opt, text);
    *out = v;
    return 0;
}

/* The configuration: built-in defaults < the file (-c) < the command line. */
static int load_config(session *s)
{
    const args *a = s->a;
    cw_error *err = &s->err;
    return cw_config_init(&s->config, err) != 0 ||
                   (a->config != NULL && cw_config_load(&s->config, a->config, NULL, err) != 0) ||
                   (a->dbname != NULL && cw_config_set(&s->config.dbname, a->dbname, err) != 0) ||
                   (a->schema != NULL && cw_config_set(&s->config.schema, a->schema, err) != 0) ||
                   (a->rules != NULL && cw_config_set(&s->config.rules_path, a->rules, err) != 0) ||
                   (a->timezone != NULL &&
                    cw_config_set(&s->config.timezone, a->timezone, err) != 0) ||
                   cw_config_validate(&s->config, err) != 0
               ? -1
               : 0;
}

/* Connect and check the results schema is this causeway's version. */
static int connect_results(session *s)
{
    cw_error *err = &s->err;
    if (cw_db_connect(&s->db, s->config.dbname, &s->ctx->log, err) != 0)
        return -1;
    cw_db_set_timeouts(s->db, s->config.lock_timeout, s->config.statement_timeout);
    if (cw_schema_check(s->db, s->config.schema, err) != 0 ||
        cw_db_quote_ident(&s->schema, s->db, s->config.schema, err) != 0)
        return -1;
    return 0;
}

static int close_session(session *s, int rc)
{
    free(s->schema);
    cw_db_free(s->db);
    cw_config_fini(&s->config);
    if (rc != 0 && s->err.code != 0) {
        cw_log_error(&s->ctx->log, &s->err);
        return s->err.code;
    }
    return rc;
}

/* ---- add ------------------------------------------------------------------------ */

static int do_add(session *s)
{
    const args *a = s->a;
    cw_error *err = &s->err;
    cw_rules *rules = NULL;
    char **sites = NULL;
    size_t site_count = 0;
    cw_week now;
    cw_remediation r = {
        .area_id = (char *)a->area,
        .symptom_id = (char *)(a->symptom != NULL ? a->symptom : ""),
        .site = (char *)(a->site != NULL ? a->site : ""),
        .title = (char *)a->title,
        .owner = (char *)(a->owner != NULL ? a->owner : ""),
        .expected_cut = NAN,
        .settling_weeks = 2,
    };
    double number;
    if (a->cut != NULL) {
        if (parse_number(&number, s->ctx, "--expected-cut", a->cut) != 0)
            return CW_EXIT_USAGE;
        r.expected_cut = number;
    }
    if (a->settling != NULL) {
        if (parse_number(&number, s->ctx, "--settling-weeks", a->settling) != 0)
            return CW_EXIT_USAGE;
        if (number < 0 || number != floor(number) || number > 1000)
            return cw_cli_usage_error(s->ctx, "remediation",
                                      "--settling-weeks: '%s' is not a whole number of weeks",
                                      a->settling);
        r.settling_weeks = (unsigned)number;
    }
    if (cw_week_parse(&r.started, a->started, err) != 0)
        return cw_cli_usage_error(s->ctx, "remediation", "--started: %s", err->message);
    long long id = 0;
    int rc = -1;
    if (load_config(s) != 0)
        return close_session(s, -1);
    /* The rule loader prints every error of a rule file itself. */
    FILE *diag = s->ctx->log.stream;
    if ((s->config.rules_path != NULL ? cw_rules_load(&rules, s->config.rules_path, diag, err)
                                      : cw_rules_load_default(&rules, diag, err)) != 0) {
        rc = err->code;
        cw_error_clear(err);
        return close_session(s, rc);
    }
    if (connect_results(s) == 0 &&
        cw_remediation_sites(&sites, &site_count, s->db, s->schema, err) == 0 &&
        cw_remediation_this_week(&now, s->db, s->config.timezone, err) == 0 &&
        cw_remediation_validate(&r, rules, (const char *const *)sites, site_count, now, err) == 0 &&
        cw_remediation_add(&id, s->db, s->schema, &r, err) == 0) {
        fprintf(s->ctx->out, "%lld\n", id);
        cw_log_info(&s->ctx->log, "recorded fix #%lld on %s", id, cw_remediation_series(&r));
        rc = 0;
    }
    cw_remediation_sites_free(sites, site_count);
    cw_rules_free(rules);
    return close_session(s, rc);
}

/* ---- list and show ---------------------------------------------------------------- */

static void target_of(char *buf, size_t size, const cw_remediation *r)
{
    snprintf(buf, size, "%s%s%s%s%s", r->area_id, r->symptom_id[0] ? ": " : "", r->symptom_id,
             r->site[0] ? " @ " : "", r->site);
}

/* The latest stored verdict of each fix, or an empty ranking when none. */
static int latest(cw_ranking *out, session *s, long long id)
{
    return cw_fixes_load_latest(out, s->db, s->schema, id, &s->err);
}

static void list_table(FILE *out, const cw_remediation *r, const cw_ranking *v)
{
    char target[256], started[16], ended[16] = "-", cut[16] = "-", verdict[300] = "-";
    target_of(target, sizeof(target), r);
    cw_week_format_iso(started, sizeof(started), r->started);
    if (r->ended)
        cw_week_format_iso(ended, sizeof(ended), r->ended_week);
    if (!isnan(r->expected_cut))
        snprintf(cut, sizeof(cut), "%.0f %%", r->expected_cut);
    if (v->fix_count > 0) {
        char text[256];
        cw_fixes_verdict_text(text, sizeof(text), &v->fixes[0]);
        snprintf(verdict, sizeof(verdict), "%s (%s)", text, v->target_week);
    }
    /* Targets, titles and owners are data: made safe and cut by display width. */
    fprintf(out, "%4lld  %-8s  %-8s  ", r->id, started, ended);
    cw_text_write_cell(out, target, 36, false);
    fputs("  ", out);
    cw_text_write_cell(out, r->title, 36, false);
    fputs("  ", out);
    cw_text_write_cell(out, r->owner[0] ? r->owner : "-", 16, false);
    fprintf(out, "  %-8s  %s\n", cut, verdict);
}

static void list_csv(FILE *out, const cw_remediation *r, const cw_ranking *v)
{
    char started[16], ended[16] = "";
    cw_week_format_iso(started, sizeof(started), r->started);
    if (r->ended)
        cw_week_format_iso(ended, sizeof(ended), r->ended_week);
    fprintf(out, "%lld,", r->id);
    const char *texts[] = {r->area_id, r->symptom_id, r->site, r->title, r->owner};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cw_report_csv_field(out, texts[i]);
        fputc(',', out);
    }
    fprintf(out, "%s,%s,", started, ended);
    if (!isnan(r->expected_cut))
        fprintf(out, "%.6g", r->expected_cut);
    fprintf(out, ",%u,%s,%s,", r->settling_weeks,
            v->fix_count > 0 ? cw_effect_verdict_id(v->fixes[0].effect.verdict) : "",
            v->fix_count > 0 ? v->target_week : "");
    cw_report_csv_field(out, r->end_note);
    fputc(',', out);
    cw_report_csv_field(out, r->created_at);
    fputc(',', out);
    cw_report_csv_field(out, r->created_by);
    fputs("\r\n", out);
}

/* 2: written by jansson on one line (json.h); 1 had the same fields. */
#define REMEDIATIONS_JSON_SCHEMA "causeway.remediations/2"

/* One recorded fix with its latest verdict as the ranking's JSON has it ({"week", "fixes"}). */
static json_t *json_fix(const cw_remediation *r, const cw_ranking *v)
{
    char started[16], ended[16];
    cw_week_format_iso(started, sizeof(started), r->started);
    if (r->ended)
        cw_week_format_iso(ended, sizeof(ended), r->ended_week);
    json_t *latest = v->fix_count > 0 ? json_pack("{s:o,s:o}", "week", cw_json_text(v->target_week),
                                                  "fixes", cw_ranking_json_fixes_new(v))
                                      : json_null();
    return json_pack(
        "{s:I,s:o,s:o,s:o,s:o,s:o,s:s,s:s?,s:o,s:o,s:I,s:o,s:o,s:o}", "id", (json_int_t)r->id,
        "area_id", cw_json_text(r->area_id), "symptom_id", cw_json_text(r->symptom_id), "site",
        cw_json_text(r->site), "title", cw_json_text(r->title), "owner", cw_json_text(r->owner),
        "started", started, "ended", r->ended ? ended : NULL, "end_note", cw_json_text(r->end_note),
        "expected_cut", cw_json_number(r->expected_cut, CW_JSON_REPORT_DIGITS), "settling_weeks",
        (json_int_t)r->settling_weeks, "created_at", cw_json_text(r->created_at), "created_by",
        cw_json_text(r->created_by), "latest", latest);
}

static int do_list(session *s)
{
    const args *a = s->a;
    cw_remediation_set set = {0};
    cw_remediation_query q = {.id = a->verb == SHOW ? a->id : 0,
                              .open_only = a->verb == LIST && !a->all};
    const char *format = a->format != NULL ? a->format : "table";
    FILE *out = s->ctx->out;
    json_t *listed = NULL; /* --format json: the fixes' objects */
    int rc = -1;
    if (load_config(s) != 0 || connect_results(s) != 0 ||
        cw_remediation_load(&set, s->db, s->schema, &q, &s->err) != 0)
        goto done;
    if (a->verb == SHOW && set.count == 0) {
        cw_error_set(&s->err, CW_EXIT_DATAERR, "no fix #%lld is recorded", a->id);
        cw_error_hint(&s->err, "'causeway remediation list --all' shows them");
        goto done;
    }
    bool json = strcmp(format, "json") == 0, csv = strcmp(format, "csv") == 0;
    listed = json ? json_array() : NULL;
    if (csv)
        fputs("id,area_id,symptom_id,site,title,owner,started,ended,expected_cut,"
              "settling_weeks,verdict,verdict_week,end_note,created_at,created_by\r\n",
              out);
    else if (!json && a->verb == LIST && set.count == 0)
        fputs(a->all ? "No fix is recorded.\n"
                     : "No open fix is recorded (--all: ended ones too).\n",
              out);
    else if (!json && a->verb == LIST) /* JSON is one document, written at the end */
        fprintf(out, "%4s  %-8s  %-8s  %-36s  %-36s  %-16s  %-8s  %s\n", "#", "started", "ended",
                "target", "title", "owner", "expected", "latest verdict");
    for (size_t i = 0; i < set.count; i++) {
        cw_ranking v;
        if (latest(&v, s, set.items[i].id) != 0) {
            cw_ranking_fini(&v);
            goto done;
        }
        if (json) {
            listed = cw_json_push(listed, json_fix(&set.items[i], &v));
        } else if (csv) {
            list_csv(out, &set.items[i], &v);
        } else if (a->verb == LIST) {
            list_table(out, &set.items[i], &v);
        } else {
            const cw_remediation *r = &set.items[i];
            char target[256], started[16];
            target_of(target, sizeof(target), r);
            cw_week_format_iso(started, sizeof(started), r->started);
            fprintf(out, "fix #%lld: ", r->id);
            cw_text_write_clean(out, r->title);
            fputs("\n  target:   ", out);
            cw_text_write_clean(out, target);
            fprintf(out, " (%s series)\n  owner:    ", cw_remediation_series(r));
            cw_text_write_clean(out, r->owner[0] ? r->owner : "not set");
            fprintf(out, "\n  started:  %s, %u settling week%s\n", started, r->settling_weeks,
                    r->settling_weeks == 1 ? "" : "s");
            if (r->ended) {
                cw_week_format_iso(started, sizeof(started), r->ended_week);
                fprintf(out, "  ended:    %s%s", started, r->end_note[0] ? ": " : "");
                cw_text_write_clean(out, r->end_note);
                fputc('\n', out);
            }
            if (!isnan(r->expected_cut))
                fprintf(out, "  expected: a cut of %.0f %%\n", r->expected_cut);
            fprintf(out, "  recorded: %s by %s\n", r->created_at, r->created_by);
            if (v.fix_count == 0)
                fputs("\nNo run has judged it yet: the next 'causeway run' will.\n", out);
            else
                cw_report_fixes_table(out, &v);
        }
        cw_ranking_fini(&v);
    }
    rc = 0;
    if (json) {
        /* list: every fix under the schema's name (listed is stolen); show: the one fix. */
        json_t *doc = a->verb == LIST ? json_pack("{s:s,s:o}", "schema", REMEDIATIONS_JSON_SCHEMA,
                                                  "remediations", listed)
                                      : json_incref(json_array_get(listed, 0));
        if (a->verb == LIST)
            listed = NULL;
        rc = cw_json_write(out, doc, CW_JSON_REPORT_DIGITS, &s->err);
    }
done:
    json_decref(listed);
    cw_remediation_set_fini(&set);
    return close_session(s, rc);
}

/* ---- end --------------------------------------------------------------------------- */

static int do_end(session *s)
{
    const args *a = s->a;
    cw_week week, now;
    if (cw_week_parse(&week, a->week, &s->err) != 0)
        return cw_cli_usage_error(s->ctx, "remediation", "--week: %s", s->err.message);
    int rc = -1;
    if (load_config(s) == 0 && connect_results(s) == 0 &&
        cw_remediation_this_week(&now, s->db, s->config.timezone, &s->err) == 0 &&
        cw_remediation_end(s->db, s->schema, a->id, week, a->note != NULL ? a->note : "", now,
                           &s->err) == 0) {
        char iso[16];
        cw_week_format_iso(iso, sizeof(iso), week);
        fprintf(s->ctx->out, "fix #%lld ended in %s\n", a->id, iso);
        rc = 0;
    }
    return close_session(s, rc);
}

int cw_cmd_remediation(cw_ctx *ctx, int argc, char **argv)
{
    args a;
    int rc = parse_args(&a, ctx, argc, argv);
    if (rc != 0)
        return rc;
    if (a.help) {
        print_help(ctx->out);
        return CW_EXIT_OK;
    }
    session s;
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.a = &a;
    switch (a.verb) {
    case ADD:
        return do_add(&s);
    case END:
        return do_end(&s);
    default:
        return do_list(&s);
    }
}
