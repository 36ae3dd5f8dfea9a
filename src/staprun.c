/*
 * staprun: run a module compiled by `stap -p4` without the translator.
 *
 *   staprun [-o FILE] [-c CMD] [-x PID] [-v] MODULE [VAR=VALUE...]
 *
 * VAR=VALUE sets a global before the probes run, as stap -G does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/run.h"

static int usage(void)
{
	fputs("Usage: staprun [-o FILE] [-c CMD] [-x PID] [-v] MODULE [VAR=VALUE...]\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	struct run_opts o = {0};
	int opt;
	while ((opt = getopt(argc, argv, "+o:c:x:vh")) != -1) {
		switch (opt) {
		case 'o':
			o.output_file = optarg;
			break;
		case 'c':
			o.target_cmd = optarg;
			break;
		case 'x': {
			char *end;
			o.target_pid = strtol(optarg, &end, 10);
			if (*end || o.target_pid <= 0) {
				fprintf(stderr, "staprun: invalid target process ID '%s'\n",
					optarg);
				return usage();
			}
			break;
		}
		case 'v':
			o.verbose++;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	o.module_path = argv[optind++];
	struct vec inits = {0};
	for (int i = optind; i < argc; i++) {
		if (!strchr(argv[i], '=')) {
			fprintf(stderr, "staprun: expected VAR=VALUE, saw '%s'\n", argv[i]);
			vec_fini(&inits);
			return usage();
		}
		vec_push(&inits, argv[i]);
	}
	o.global_inits = &inits;
	int rc = run_module(&o);
	vec_fini(&inits);
	return rc;
}
