/* output.c - write a report to stdout or atomically to a file; see output.h. */
#include "causeway/report/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/util/text.h"

/*
 * The mode the report gets. mkstemp creates 0600, which made a report that replaced a
 * shared one unreadable to its readers: an existing regular file keeps its mode, a new
 * one gets what the umask allows, as a plain open(O_CREAT, 0666) would. A symlink at the
 * path counts as no file: rename replaces the link itself and never writes through it.
 */
static mode_t report_mode(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int cw_output_write(const char *path, FILE *out, const cw_ranking *r, const cw_report_options *opts,
                    cw_error *err)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return cw_report_write(out, r, opts, err);
    char *tmp = cw_text_printf("%s.tmp.XXXXXX", path);
    if (tmp == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = -1;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    if (fchmod(fd, report_mode(path)) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not set the mode of '%s': %s", tmp,
                     strerror(errno));
        close(fd);
        goto done;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        cw_error_set(err, CW_EXIT_IOERR, "could not open '%s': %s", tmp, strerror(errno));
        close(fd);
        goto done;
    }
    if (cw_report_write(f, r, opts, err) != 0) {
        fclose(f);
        goto done;
    }
    /* The report must be on disk before it replaces the old one. */
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not write '%s': %s", path, strerror(errno));
        fclose(f);
        goto done;
    }
    if (fclose(f) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not write '%s': %s", path, strerror(errno));
        goto done;
    }
    if (rename(tmp, path) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not rename '%s' to '%s': %s", tmp, path,
                     strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
