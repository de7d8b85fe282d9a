/*
 * peakrss.c - run a command and report its wall time and peak memory, for
 * benchmarks (no dependency on GNU time's output format).
 *
 *   peakrss COMMAND [ARGS...]
 *
 * Prints "wall_s=<seconds> maxrss_kib=<KiB> status=<exit status> cpu_s=<seconds>"
 * on stderr after the command ends (cpu_s: its user + system time, which a machine
 * shared with other jobs inflates less than the wall time); exits with the command's
 * status.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: peakrss COMMAND [ARGS...]\n");
        return 64;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 71;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    /* The only child: RUSAGE_CHILDREN is its peak. */
    if (waitpid(pid, &status, 0) != pid || getrusage(RUSAGE_CHILDREN, &ru) != 0) {
        perror("waitpid");
        return 71;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    fprintf(stderr, "wall_s=%.3f maxrss_kib=%ld status=%d cpu_s=%.3f\n", wall, ru.ru_maxrss, code,
            cpu);
    return code;
}
