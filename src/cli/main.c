/* main.c - causeway's entry point: everything else lives in cli.c and below. */
#include "causeway/cli/cli.h"

int main(int argc, char **argv)
{
    return cw_cli_main(argc, argv);
}
