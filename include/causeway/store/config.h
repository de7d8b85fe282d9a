/*
 * config.h - what `causeway run` and `causeway report` need to know: where the
 * complaints are, how their columns are named, where results go, time zone and
 * windows. Defaults fit the reference table in sql/complaints.sql, so
 * `causeway run -d URI` works on it with no config file. A YAML config file
 * overrides the defaults; command-line flags override the file.
 */
#ifndef CAUSEWAY_CONFIG_H
#define CAUSEWAY_CONFIG_H

#include <stdio.h>

#include "causeway/util/error.h"

/*
 * Columns of the complaint source; the first three are required. updated_at (when
 * the row was inserted or last changed, set by the database) is the only one not
 * mapped by default: with it, a run reads only the rows changed since the last run
 * (incremental runs, edits classified again; see ingest.h).
 */
typedef enum cw_source_column {
    CW_COL_ID = 0,
    CW_COL_RECEIVED_AT,
    CW_COL_BODY,
    CW_COL_CHANNEL,
    CW_COL_SITE,
    CW_COL_PRODUCT,
    CW_COL_SEGMENT,
    CW_COL_UPDATED_AT,
    CW_COL_COUNT
} cw_source_column;

/* Columns of the optional exposure source (volume per week and site). */
typedef enum cw_exposure_column {
    CW_EXP_WEEK = 0,
    CW_EXP_SITE,
    CW_EXP_VOLUME,
    CW_EXP_COUNT
} cw_exposure_column;

typedef struct cw_config {
    char *dbname;                           /* conninfo or URI; NULL: PG* environment */
    char *schema;                           /* results schema, default "causeway" */
    char *rules_path;                       /* NULL: the built-in default rule set */
    char *timezone;                         /* IANA zone for ISO weeks, default "UTC" */
    unsigned lookback_weeks;                /* history classified and analysed, default 104 */
    unsigned baseline_weeks;                /* frozen baseline window, default 26 */
    unsigned recent_weeks;                  /* window for volume, top symptoms, default 4 */
    unsigned top;                           /* items printed per ranking, default 10 */
    unsigned lock_timeout;                  /* seconds a statement waits for a lock, default 60 */
    unsigned statement_timeout;             /* seconds one statement may run, default 3600 */
    int connect_retry;                      /* seconds to retry a refused connection;
                                               -1: the command's default (run: 10, others 0) */
    char *source_table;                     /* [schema.]table or view, default public.complaints */
    char *columns[CW_COL_COUNT];            /* column names; NULL = absent (optional ones) */
    unsigned char dimensions[CW_COL_COUNT]; /* 1: symptom x this column is a series. Only
                                               site (default), channel, product, segment */
    char *exposure_table;                   /* NULL: no exposure, counts not rates */
    char *exposure_columns[CW_EXP_COUNT];
} cw_config;

/* How long `run` retries a refused or reset connection unless told (seconds). */
#define CW_CONFIG_RUN_CONNECT_RETRY 10
/* The longest --connect-retry / connect_retry accepted (seconds). */
#define CW_CONFIG_MAX_CONNECT_RETRY 3600

/* Fill c with the defaults (all strings heap-allocated). Returns 0 or -1 (71). */
int cw_config_init(cw_config *c, cw_error *err);

/* Release what c owns; c may be zeroed or half-initialised. */
void cw_config_fini(cw_config *c);

/*
 * Override c's settings with those of a YAML configuration file (keys as in
 * causeway(1), CONFIGURATION; every key optional, unknown keys are errors).
 * Errors are `file:line:col: error: ...` (65 for bad YAML or values, 66 for an
 * unreadable file), also written to `diag` when not NULL. On failure c keeps
 * valid (possibly partly overridden) settings and must still be finalised.
 */
int cw_config_load(cw_config *c, const char *path, FILE *diag, cw_error *err);

/* Largest configuration file read (a hand-written file is a few hundred bytes). */
#define CW_CONFIG_MAX_FILE_BYTES (1024u * 1024u)

/*
 * cw_config_load on `len` bytes already in memory; `name` is used in messages
 * and to resolve a relative `rules` path. An empty or comment-only document
 * overrides nothing. Same errors and state after failure as cw_config_load.
 */
int cw_config_parse(cw_config *c, const char *name, const char *data, size_t len, FILE *diag,
                    cw_error *err);

/* Replace *slot with a copy of value (NULL clears it). Returns 0 or -1 (71). */
int cw_config_set(char **slot, const char *value, cw_error *err);

/*
 * Check identifiers and values: table names are `name` or `schema.name`, each
 * part [A-Za-z_][A-Za-z0-9_]* (at most 63 bytes; quoted anyway when used), the
 * results schema [a-z_][a-z0-9_]*, windows in range. Errors name the setting
 * (78).
 */
int cw_config_validate(const cw_config *c, cw_error *err);

/* The results schema name alone: [a-z_][a-z0-9_]*, at most 63 bytes (78). */
int cw_config_check_schema(const char *schema, cw_error *err);

/*
 * Whether column `col` can be a `dimensions:` entry (site, channel, product,
 * segment).
 */
int cw_config_is_dimension(cw_source_column col);

/* Name of a source / exposure column setting ("received_at"). */
const char *cw_config_column_name(cw_source_column col);
const char *cw_config_exposure_column_name(cw_exposure_column col);

/*
 * Split a validated `[schema.]name` into its parts (caller storage of 64 bytes
 * each; schema "" when absent).
 */
void cw_config_split_table(char schema[64], char name[64], const char *table);

#endif
