/*
 * libFuzzer target for passes 1 to 3: the bytes are a script, parsed
 * (preprocessor conditions, macros and $1/@1 included) and printed back,
 * with diagnostics counted but never shown; a program that parsed is also
 * elaborated (without the tapset library: $SYSTEMTAP_TAPSET points nowhere)
 * and, when that succeeds, printed as -p2 and translated to C.  Anything the sanitizers catch is a
 * bug; the input that found it becomes a tests/parse/ case.  Built and run by `make fuzz-run`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "elaborate/elaborate.h"
#include "parse/parse.h"
#include "session.h"
#include "translate/translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pp_env env = {
		.kernel_v = "6.1.0",
		.kernel_vr = "6.1.0-1-amd64",
		.arch = "x86_64",
		.runtime = "bpf",
		.systemtap_v = "5.0",
		.privilege = "stapdev",
		.config_path = "/dev/null",
	};
	char *argv[] = {"1", "x"};
	struct parse_opts opts = {.privileged = true, .argc = 2, .argv = argv, .env = &env};
	char *copy = malloc(size + 1);
	struct source src = {.name = "<fuzz>", .text = copy, .len = size};
	struct arena arena;
	struct diag diag;
	struct program *prog;
	static FILE *out;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	arena_init(&arena);
	diag_init(&diag, NULL, 0);
	prog = parse_script(&arena, &src, &opts, &diag);
	if (!out)
		out = fopen("/dev/null", "w");
	if (out && diag.errors == 0) {
		ast_print(out, prog);
		fflush(out);
		setenv("SYSTEMTAP_TAPSET", "/nonexistent", 1);
		struct session s = {.last_pass = 3, .argc = 2, .argv = argv};
		struct elab *e = elaborate(&s, &arena, prog, &opts, &diag);
		if (e) {
			elab_print(out, e, true);
			struct translation t;
			translate(&s, e, &t);
			fputs(t.host, out);
			if (t.bpf)
				fputs(t.bpf, out);
			translation_fini(&t);
			fflush(out);
		}
	}
	diag_fini(&diag);
	arena_fini(&arena);
	free(copy);
	return 0;
}
