/*
 * Pass 3: translate the elaborated program to C.  One emitter walks the
 * annotated AST for two targets: the host (runtime/include/stp_host.h:
 * handlers that run in user space, loaded as a shared object) and BPF
 * (runtime/include/stp_bpf.h: handlers of kernel probes, compiled by
 * clang -target bpf and embedded in the host module by pass 4).
 */
#ifndef STAP_TRANSLATE_H
#define STAP_TRANSLATE_H

#include "../elaborate/elaborate.h"

struct session;

struct translation {
	char *host; /* the module's C (heap) */
	char *bpf;  /* the BPF program's C (heap), NULL without kernel probes */
};

void translate(const struct session *s, const struct elab *e, struct translation *out);
void translation_fini(struct translation *t);

#endif
