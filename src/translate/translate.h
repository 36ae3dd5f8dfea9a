/*
 * Pass 3: translate the elaborated program to C.  One emitter walks the
 * annotated AST; what differs between targets (where frames live, how
 * output leaves a handler) goes through the runtime header the generated C
 * includes.  This target is the host (runtime/include/stp_host.h):
 * handlers that run in user space, loaded as a shared object.
 */
#ifndef STAP_TRANSLATE_H
#define STAP_TRANSLATE_H

#include "../elaborate/elaborate.h"

struct session;

/* The module's C source, a heap string. */
char *translate(const struct session *s, const struct elab *e);

#endif
