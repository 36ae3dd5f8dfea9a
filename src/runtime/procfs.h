/*
 * procfs probes in user space: the session's files, served as named pipes
 * (docs/procfs.md).  procfs_open() makes the directory and the files,
 * procfs_service() answers the readers and writers waiting (running the
 * probes' handlers through run, one at a time, between the other
 * handlers), procfs_close() removes them all.
 */
#ifndef STAP_RUNTIME_PROCFS_H
#define STAP_RUNTIME_PROCFS_H

#include <stdbool.h>

#include "../../runtime/include/stp_host.h"

struct procfs_session;

/* Runs one probe's handler; false when its error ends the session. */
typedef bool (*procfs_run_fn)(void *ctx, const struct stp_probe *p);

/* The module's procfs files in /var/tmp/systemtap-USER/MODNAME; *out NULL
 * when the module has none.  -1 after an error message on stderr. */
int procfs_open(const struct stp_module *mod, const char *modname, int verbose,
		struct procfs_session **out);
/* Serve whoever waits on the files now; never blocks long. */
void procfs_service(struct procfs_session *ps, procfs_run_fn run, void *ctx);
/* Removes the files and the directory; ps may be NULL. */
void procfs_close(struct procfs_session *ps);

#endif
