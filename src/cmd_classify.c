/* cmd_classify.c - 'causeway classify' (placeholder until its issue lands). */
#include "causeway/cli.h"

int cw_cmd_classify(cw_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cw_error err;
    cw_error_clear(&err);
    cw_error_set(&err, CW_EXIT_SOFTWARE, "'classify' is not implemented yet");
    cw_log_error(&ctx->log, &err);
    return err.code;
}
