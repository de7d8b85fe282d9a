/*
 * remediation.h - the fixes recorded in the results schema (table remediations,
 * sql/migrations/0006): what `causeway remediation add|list|show|end` reads and
 * writes, and what every run judges (fixes.h).
 *
 * A fix targets one weekly series of the rule set: a cause area (symptom "" and
 * site ""), a cause area at one site, or one of the area's symptoms, at every site or
 * at one. Values are validated against the current rule set, the sites the results
 * know and the current week before anything is written; every such error is 65.
 */
#ifndef CAUSEWAY_REMEDIATION_H
#define CAUSEWAY_REMEDIATION_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/store/db.h"
#include "causeway/rules/rules.h"
#include "causeway/util/week.h"

#define CW_REMEDIATION_TITLE_BYTES  200 /* longest title */
#define CW_REMEDIATION_TEXT_BYTES   500 /* longest owner or note */
#define CW_REMEDIATION_MAX_SETTLING 52

typedef struct cw_remediation {
    long long id;            /* 0 before it is recorded */
    char *area_id;           /* cause area */
    char *symptom_id;        /* "" = the whole cause area */
    char *site;              /* "" = every site */
    char *title;             /* what the fix is */
    char *owner;             /* who owns it; may be "" */
    cw_week started;         /* the ISO week the fix started */
    bool ended;              /* `remediation end` was run */
    cw_week ended_week;      /* when ended */
    char *end_note;          /* may be "" */
    double expected_cut;     /* % cut in complaints the owner expects; NaN: not given */
    unsigned settling_weeks; /* weeks after the start judged on neither side */
    char *created_at;        /* "2026-11-23 09:12:00+00"; "" before it is recorded */
    char *created_by;        /* the database role that recorded it */
} cw_remediation;

typedef struct cw_remediation_set {
    cw_remediation *items; /* in id order */
    size_t count;
    size_t cap;
} cw_remediation_set;

/* Which recorded fixes to load. */
typedef struct cw_remediation_query {
    long long id;    /* only this one; 0: any */
    bool open_only;  /* only fixes not ended */
    bool started_by; /* only fixes started in or before week `until` */
    cw_week until;
} cw_remediation_query;

/* The weekly series a fix targets: "area", "area_site", "symptom" or "symptom_site". */
const char *cw_remediation_series(const cw_remediation *r);

/*
 * Check r before it is recorded: a non-empty title and printable texts within their
 * lengths, a cause area and symptom the rule set has (the symptom attributed to that
 * area), a site among `sites` (the sites seen by runs), a start not after `now`, an
 * expected cut in (0, 100] and settling weeks up to 52. Errors (65) name the value and
 * suggest the closest id.
 */
int cw_remediation_validate(const cw_remediation *r, const cw_rules *rules,
                            const char *const *sites, size_t site_count, cw_week now,
                            cw_error *err);

/* Record r (validated) in results schema `schema` (quoted); *id receives its number. */
int cw_remediation_add(long long *id, cw_db *db, const char *schema, const cw_remediation *r,
                       cw_error *err);

/*
 * Load the fixes q selects into *out (caller storage, zeroed here; finalise with
 * cw_remediation_set_fini also after a failure), in id order.
 */
int cw_remediation_load(cw_remediation_set *out, cw_db *db, const char *schema,
                        const cw_remediation_query *q, cw_error *err);

void cw_remediation_set_fini(cw_remediation_set *s);

/*
 * End fix `id` in `week` with `note` (may be ""): 65 when there is no such fix, it has
 * ended already, or the week is before its start or after `now`.
 */
int cw_remediation_end(cw_db *db, const char *schema, long long id, cw_week week, const char *note,
                       cw_week now, cw_error *err);

/*
 * The sites the results know (every site a run has counted complaints for), sorted;
 * *out is a malloc'd array of malloc'd strings (free with cw_remediation_sites_free).
 */
int cw_remediation_sites(char ***out, size_t *count, cw_db *db, const char *schema, cw_error *err);
void cw_remediation_sites_free(char **sites, size_t count);

/* The current ISO week in time zone `timezone` (an IANA name), by the server's clock. */
int cw_remediation_this_week(cw_week *out, cw_db *db, const char *timezone, cw_error *err);

#endif
