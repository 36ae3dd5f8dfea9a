/*
 * stap: the command line, then the passes in order, stopping after -pN.
 *
 *   1 parse      script text -> struct program     (src/parse)
 *   2 elaborate  tapsets, probe points, types       (later)
 *   3 translate  C for the BPF and host targets     (later)
 *   4 compile    clang / cc -> module               (later)
 *   5 run        load, attach, print                (later)
 *
 * Options are SystemTap's; the ones whose pass does not exist yet are
 * accepted and answered with a clear "not implemented yet".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "diag.h"
#include "elaborate/elaborate.h"
#include "parse/parse.h"
#include "runtime/run.h"
#include "session.h"
#include "translate/translate.h"

#define STAP_VERSION      "4.8"
#define STAP_EBPF_VERSION "0.1"

enum {
	OPT_RUNTIME = 256,
	OPT_DUMP_FUNCTIONS,
	OPT_DUMP_PROBE_TYPES,
	OPT_SUPPRESS_HANDLER_ERRORS,
	OPT_COMPATIBLE,
	OPT_PRIVILEGE,
	OPT_PROLOGUE_SEARCHING,
	OPT_LDD,
	OPT_ALL_MODULES,
};

static const struct option long_options[] = {
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"runtime", required_argument, NULL, OPT_RUNTIME},
	{"dump-functions", no_argument, NULL, OPT_DUMP_FUNCTIONS},
	{"dump-probe-types", no_argument, NULL, OPT_DUMP_PROBE_TYPES},
	{"suppress-handler-errors", no_argument, NULL, OPT_SUPPRESS_HANDLER_ERRORS},
	{"compatible", required_argument, NULL, OPT_COMPATIBLE},
	{"privilege", required_argument, NULL, OPT_PRIVILEGE},
	{"prologue-searching", optional_argument, NULL, OPT_PROLOGUE_SEARCHING},
	{"ldd", no_argument, NULL, OPT_LDD},
	{"all-modules", no_argument, NULL, OPT_ALL_MODULES},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	fprintf(out, "Systemtap translator/driver (version " STAP_VERSION
		     "/stap-on-ebpf " STAP_EBPF_VERSION ")\n"
		     "Usage: stap [options] FILE                    Run script in file.\n"
		     "   or: stap [options] -                       Run script on stdin.\n"
		     "   or: stap [options] -e SCRIPT               Run given script.\n"
		     "   or: stap [options] -l PROBE                List matching probes.\n"
		     "   or: stap [options] -L PROBE                List matching probes and local "
		     "variables.\n"
		     "   or: stap [options] --dump-functions        List available functions.\n"
		     "   or: stap [options] --dump-probe-types      List available probe types.\n"
		     "[options] any of:\n"
		     "   -h --help  show help\n"
		     "   -V --version  show version\n"
		     "   -p NUM     stop after pass NUM 1-5, instead of 5\n"
		     "              (parse, elaborate, translate, compile, run)\n"
		     "   -v         add verbosity to all passes\n"
		     "   -k         keep temporary directory\n"
		     "   -u         unoptimized translation\n"
		     "   -w         suppress warnings\n"
		     "   -W         turn warnings into errors\n"
		     "   -b         bulk (percpu file) mode: accepted; the output here is one\n"
		     "              ring buffer read in order, so output is the same as without\n"
		     "   -P         prologue-searching for function probes: no effect here\n"
		     "   -g         guru mode\n"
		     "   -s NUM     buffer size in megabytes\n"
		     "   -I DIR     look in DIR for additional .stp script files, in addition to "
		     "tapset/\n"
		     "   -D NM=VAL  emit macro definition into generated C code\n"
		     "   -G VAR=VAL set global variable to value\n"
		     "   -o FILE    send script output to file, instead of stdout\n"
		     "   -c CMD     start the probes, run CMD, and exit when it finishes\n"
		     "   -x PID     sets target() to PID\n"
		     "   -m MODULE  set probe module name\n"
		     "   -d OBJECT  add unwind/symbol data for OBJECT file\n"
		     "   --ldd      add unwind/symbol data for referenced user-space objects.\n"
		     "   --all-modules\n"
		     "              add unwind/symbol data for all loaded kernel objects.\n"
		     "   -t         collect probe timing information\n"
		     "   -T TIME    terminate the script after TIME seconds\n"
		     "   --runtime=MODE\n"
		     "              set the pass-5 runtime mode: kernel or bpf\n"
		     "   --compatible=VERSION\n"
		     "              suppress incompatible language/tapset changes beyond VERSION\n"
		     "   --privilege=PRIVILEGE_LEVEL\n"
		     "              check the script for constructs not allowed at the given "
		     "privilege level\n"
		     "   --suppress-handler-errors\n"
		     "              catch all runtime errors, quietly skip probe handlers\n"
		     "   --prologue-searching[=WHEN]\n"
		     "              prologue-searching for function probes (always, never or\n"
		     "              auto): accepted, no effect with BTF and uprobes\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, fmt, arg);
	fputs("Try '--help' for more information. [man stap]\n", stderr);
	return 1;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* -G VAR=VALUE as the original accepts it: ^[a-z_][a-z0-9_]*=[a-z0-9_.-]+$ */
static bool is_safe_global_init(const char *s)
{
	const char *eq = strchr(s, '=');
	if (!eq || eq == s || !eq[1] || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (const char *c = s; c < eq; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	for (const char *c = eq + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("_.-", *c)))
			return false;
	return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_options(struct session *s, int argc, char **argv)
{
	long n;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hVvp:ke:c:x:o:D:I:guwWbPd:tT:G:s:l:L:m:", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("Systemtap translator/driver (version " STAP_VERSION
			       "/stap-on-ebpf " STAP_EBPF_VERSION ")\n"
			       "This is free software; see the source for copying conditions.\n"
			       "enabled features: BPF\n");
			return 0;
		case 'v':
			s->verbose++;
			break;
		case 'p':
			if (!parse_long(optarg, 1, 5, &n))
				return usage_error("Invalid pass number (should be 1-5).\n%s", "");
			s->last_pass = (int)n;
			break;
		case 'k':
			s->keep_tmpdir = true;
			break;
		case 'e':
			if (s->script_text)
				return usage_error(
					"Only one script can be given on the command line.\n%s",
					"");
			s->script_text = optarg;
			break;
		case 'c':
			s->target_cmd = optarg;
			break;
		case 'x':
			if (!parse_long(optarg, 1, 0x7fffffffL, &n))
				return usage_error("Invalid target process ID number.\n%s", "");
			s->target_pid = n;
			break;
		case 'o':
			s->output_file = optarg;
			break;
		case 'D':
			vec_push(&s->defines, optarg);
			break;
		case 'I':
			vec_push(&s->include_dirs, optarg);
			break;
		case 'g':
			s->guru = true;
			break;
		case 'u':
			s->unoptimized = true;
			break;
		case 'w':
			s->suppress_warnings = true;
			break;
		case 'W':
			s->werror = true;
			break;
		case 'b':
			s->bulk = true;
			break;
		case 'P':
			s->prologue_search = "always";
			break;
		case 'd':
			vec_push(&s->symbol_objs, optarg);
			break;
		case OPT_LDD:
			s->ldd = true;
			break;
		case OPT_ALL_MODULES:
			s->all_modules = true;
			break;
		case OPT_PROLOGUE_SEARCHING:
			if (optarg && strcmp(optarg, "always") != 0 &&
			    strcmp(optarg, "never") != 0 && strcmp(optarg, "auto") != 0) {
				fprintf(stderr, "Invalid argument '%s' for --prologue-searching.\n",
					optarg);
				return 1;
			}
			s->prologue_search = optarg ? optarg : "always";
			break;
		case 't':
			s->timing = true;
			vec_push(&s->defines, "STP_TIMING"); /* the handlers time themselves */
			break;
		case 'T':
			if (!parse_long(optarg, 1, 0x7fffffffL, &n))
				return usage_error("Invalid timeout interval.\n%s", "");
			s->timeout_secs = n;
			break;
		case 'G':
			if (!is_safe_global_init(optarg)) {
				fprintf(stderr,
					"ERROR: Safety pattern mismatch for -G parameter ('%s' vs. "
					"'^[a-z_][a-z0-9_]*=[a-z0-9_.-]+$') rc=1\n",
					optarg);
				return 1;
			}
			vec_push(&s->global_inits, optarg);
			break;
		case 's':
			if (!parse_long(optarg, 1, 4095, &n))
				return usage_error("Invalid buffer size (should be 1-4095).\n%s",
						   "");
			s->buffer_mb = n;
			break;
		case 'l':
		case 'L':
			s->list_probes = optarg;
			s->list_with_vars = c == 'L';
			break;
		case 'm':
			s->module_name = optarg;
			break;
		case OPT_RUNTIME:
			if (strcmp(optarg, "kernel") != 0 && strcmp(optarg, "bpf") != 0)
				return usage_error(
					"Invalid runtime mode '%s' (should be kernel or bpf).\n",
					optarg);
			s->runtime = optarg;
			break;
		case OPT_DUMP_FUNCTIONS:
			s->dump_functions = true;
			break;
		case OPT_DUMP_PROBE_TYPES:
			s->dump_probe_types = true;
			break;
		case OPT_COMPATIBLE:
			s->compatible = optarg;
			break;
		case OPT_PRIVILEGE:
			if (strcmp(optarg, "stapusr") != 0 && strcmp(optarg, "stapsys") != 0 &&
			    strcmp(optarg, "stapdev") != 0)
				return usage_error("Invalid argument '%s' for --privilege.\n",
						   optarg);
			s->privilege = optarg;
			break;
		case OPT_SUPPRESS_HANDLER_ERRORS:
			s->suppress_handler_errors = true;
			break;
		default:
			if (optopt && optopt < 256 && strchr("pecxoDIGTslLmd", optopt))
				fprintf(stderr, "stap: option requires an argument -- '%c'\n",
					optopt);
			else if (optopt)
				fprintf(stderr, "stap: invalid option -- '%c'\n", optopt);
			else
				fprintf(stderr, "stap: unrecognized option '%s'\n",
					argv[optind - 1]);
			return usage_error("%s", "");
		}
	}
	if (s->target_cmd && s->target_pid) {
		fputs("You can't specify -c and -x together.\n", stderr);
		usage_error("%s", "");
		fputs("A message like [man foo] means for more info, run % man foo\n", stderr);
		return 1;
	}
	if (s->list_probes || s->dump_functions || s->dump_probe_types) {
		/* -l/-L: elaborate "probe PROBE {}" and list what it resolved to */
		s->script_text = "probe begin {}";
		if (s->list_probes) {
			size_t len = strlen(s->list_probes) + 16;
			char *text = xmalloc(len);
			snprintf(text, len, "probe %s {}", s->list_probes);
			s->script_text = text;
			s->list_text = text;
			s->last_pass = 2;
			s->suppress_warnings = true;
			s->unoptimized = true;
		}
		s->argc = argc - optind;
		s->argv = argv + optind;
		return -1;
	}
	if (!s->script_text) {
		if (optind >= argc) {
			fputs("A script must be specified.\n", stderr);
			return usage_error("%s", "");
		}
		s->script_file = argv[optind++];
	}
	s->argc = argc - optind;
	s->argv = argv + optind;
	return -1;
}

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* "using 1234virt/567res/89shr/1000data kb, in 10usr/2sys/13real ms." as the original. */
/* "in Nusr/Nsys/Nreal ms." of a pass, without the memory figures. */
static void print_pass_time(const struct timespec *start, const struct rusage *ru0)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long usr = (ru.ru_utime.tv_sec - ru0->ru_utime.tv_sec) * 1000 +
		   (ru.ru_utime.tv_usec - ru0->ru_utime.tv_usec) / 1000;
	long sys = (ru.ru_stime.tv_sec - ru0->ru_stime.tv_sec) * 1000 +
		   (ru.ru_stime.tv_usec - ru0->ru_stime.tv_usec) / 1000;
	fprintf(stderr, "in %ldusr/%ldsys/%ldreal ms.\n", usr, sys, (long)elapsed_ms(start));
}

static void print_pass_usage(const struct timespec *start, const struct rusage *ru0)
{
	long virt = 0, res = 0, shr = 0, data = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		long pages = sysconf(_SC_PAGESIZE) / 1024;
		long text = 0, lib = 0, dt = 0;
		if (fscanf(f, "%ld %ld %ld %ld %ld %ld", &virt, &res, &shr, &text, &lib, &dt) ==
		    6) {
			virt *= pages;
			res *= pages;
			shr *= pages;
			data = dt * pages;
		}
		fclose(f);
	}
	fprintf(stderr, "using %ldvirt/%ldres/%ldshr/%lddata kb, ", virt, res, shr, data);
	print_pass_time(start, ru0);
}

static void init_pp_env(struct pp_env *env, const struct session *s, struct utsname *u)
{
	static char kernel_v[sizeof(u->release)];
	memset(env, 0, sizeof(*env));
	if (uname(u) != 0)
		memset(u, 0, sizeof(*u));
	/* kernel_v is the release without its "-extra" suffix */
	snprintf(kernel_v, sizeof(kernel_v), "%s", u->release);
	kernel_v[strcspn(kernel_v, "-")] = '\0';
	env->kernel_v = kernel_v;
	env->kernel_vr = u->release;
	env->arch = strcmp(u->machine, "aarch64") == 0 ? "arm64" : u->machine;
	env->runtime = s->runtime ? s->runtime : "kernel";
	env->systemtap_v = s->compatible ? s->compatible : STAP_VERSION;
	env->privilege = s->privilege ? s->privilege : "stapdev";
}

/* The macros of every tapset *.stpm file; a file with errors is skipped with a
 * warning, as the original does.  Returns the number of files read. */
static int load_library_macros(struct session *s, struct arena *arena, const struct pp_env *env,
			       struct vec *library)
{
	struct vec files = {0};
	session_tapset_files(s, ".stpm", &files);
	struct parse_opts opts = {.privileged = true, .env = env};
	struct diag diag;
	diag_init(&diag, stderr, s->verbose);
	int count = 0;
	vec_foreach(&files, i) {
		const char *path = files.items[i];
		size_t len;
		char *text = read_file(path, &len);
		if (!text)
			continue;
		struct source *src = arena_alloc(arena, sizeof(*src));
		src->name = arena_strdup(arena, path);
		src->text = arena_strndup(arena, text, len);
		src->len = len;
		free(text);
		count++;
		if (parse_macro_file(arena, src, &opts, &diag, library) && !s->suppress_warnings)
			fprintf(stderr,
				"WARNING: macro tapset \"%s\" has errors, and will be skipped.\n",
				path);
	}
	diag_fini(&diag);
	vec_foreach(&files, i)
		free(files.items[i]);
	vec_fini(&files);
	/* the *.stp files count too, as the original's pass-1 line does;
	 * pass 2 reads them */
	session_tapset_files(s, ".stp", &files);
	count += (int)files.len;
	vec_foreach(&files, i)
		free(files.items[i]);
	vec_fini(&files);
	return count;
}

/* Pass 1.  Returns the program, or NULL after reporting the errors. */
static struct program *run_pass1(struct session *s, struct arena *arena, struct diag *diag,
				 struct source *src, struct vec *library, int *library_files,
				 struct parse_opts *opts_out)
{
	static struct utsname u; /* the pass-2 options keep pointers into these */
	static struct pp_env env;
	init_pp_env(&env, s, &u);
	*library_files = load_library_macros(s, arena, &env, library);
	if (s->script_text) {
		src->name = "<input>";
		src->text = arena_strdup(arena, s->script_text);
		src->len = strlen(s->script_text);
	} else {
		size_t len;
		char *text = read_file(s->script_file, &len);
		if (!text) {
			fprintf(stderr, "Input file '%s' is missing.\n", s->script_file);
			return NULL;
		}
		src->name = strcmp(s->script_file, "-") == 0 ? "<input>" : s->script_file;
		src->text = arena_strndup(arena, text, len);
		src->len = len;
		free(text);
	}
	struct parse_opts opts = {
		.privileged = s->guru,
		.argc = s->argc,
		.argv = s->argv,
		.args_used = arena_alloc(arena, (size_t)s->argc + 1),
		.env = &env,
		.library_macros = library,
	};
	*opts_out = opts;
	struct program *prog = parse_script(arena, src, &opts, diag);
	if (!prog->has_declarations) {
		fprintf(stderr, "Input file '%s' is empty%s.\n", src->name,
			prog->has_tokens ? " after preprocessing" : "");
		return NULL;
	}
	if (diag->errors) {
		diag_summary(diag, "parse");
		return NULL;
	}
	return prog;
}

/* -d OBJ: symbolisation reads the symbol table of every object a process
 * has mapped, on demand, so the named objects need no loading here; one
 * that cannot be read is worth the original's warning. */
static void warn_symbol_objs(const struct session *s)
{
	vec_foreach(&s->symbol_objs, i) {
		const char *obj = s->symbol_objs.items[i];
		if (strchr(obj, '/') && access(obj, R_OK) != 0 && !s->suppress_warnings)
			fprintf(stderr, "WARNING: missing unwind/symbol data for module '%s'\n",
				obj);
	}
}

/* Pass 5: run the module; the exit status of the session. */
static int run_pass5(struct session *s, const char *module)
{
	struct timespec start;
	struct rusage ru0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	getrusage(RUSAGE_SELF, &ru0);
	if (s->verbose)
		fputs("Pass 5: starting run.\n", stderr);
	struct run_opts ro = {
		.module_path = module,
		.output_file = s->output_file,
		.target_cmd = s->target_cmd,
		.target_pid = s->target_pid,
		.global_inits = &s->global_inits,
		.verbose = s->verbose,
		.buffer_mb = s->buffer_mb,
	};
	int status = run_module(&ro);
	if (status != 0) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		fprintf(stderr, "WARNING: %s/staprun exited with status: %d\n", exe, status);
		fputs("Pass 5: run failed.  [man error::pass5]\n", stderr);
		return 1;
	}
	if (s->verbose) {
		fputs("Pass 5: run completed ", stderr);
		print_pass_time(&start, &ru0);
	}
	return 0;
}

/* Passes 3 to 5, with the module cache: an unchanged script (same inputs,
 * options and compiler) skips passes 3 and 4. */
static int run_passes_3_to_5(struct session *s, const struct elab *elab)
{
	struct timespec start;
	struct rusage ru0;
	struct vec texts = {0};
	vec_foreach(&elab->inputs, i) {
		const struct source *src = elab->inputs.items[i];
		vec_push(&texts, (void *)src->text);
	}
	vec_foreach(&elab->kernel_inputs, i)
		vec_push(&texts, elab->kernel_inputs.items[i]);
	char *hash = build_hash(s, &texts, elab->has_kernel);
	vec_fini(&texts);
	char *module = NULL;
	int rc = 1;
	if (s->last_pass >= 4 && !s->module_name && build_cache_lookup(s, hash, &module) != 0)
		goto out;
	if (module) {
		if (s->verbose) {
			fprintf(stderr, "Pass 3: using cached %s\n", module);
			fprintf(stderr, "Pass 4: using cached %s\n", module);
		}
	} else {
		clock_gettime(CLOCK_MONOTONIC, &start);
		getrusage(RUSAGE_SELF, &ru0);
		struct translation tr;
		translate(s, elab, &tr);
		if (s->last_pass == 3) {
			fputs(tr.host, stdout);
			if (tr.bpf)
				printf("\n/* ---- the BPF program ---- */\n%s", tr.bpf);
			translation_fini(&tr);
			rc = fflush(stdout) == 0 ? 0 : 1;
			goto out;
		}
		if (s->verbose) {
			fprintf(stderr, "Pass 3: translated to C into \"%s/stap_%s.c\" ",
				build_tmpdir(s), hash);
			print_pass_usage(&start, &ru0);
		}
		clock_gettime(CLOCK_MONOTONIC, &start);
		getrusage(RUSAGE_SELF, &ru0);
		int brc = build_module(s, tr.host, tr.bpf, hash, &module);
		translation_fini(&tr);
		if (brc != 0) {
			fputs("Pass 4: compilation failed.  [man error::pass4]\n", stderr);
			goto out;
		}
		if (s->verbose) {
			fprintf(stderr, "Pass 4: compiled C into \"%s\" ", module);
			print_pass_time(&start, &ru0);
		}
	}
	if (s->last_pass == 4) {
		printf("%s\n", module);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	rc = run_pass5(s, module);
out:
	free(module);
	free(hash);
	build_cleanup(s);
	return rc;
}

/* The footer of a pass that hid repeated messages. */
static void print_suppressed(const struct diag *d)
{
	if (d->suppressed)
		fprintf(stderr, "Number of similar error messages suppressed: %d.\n",
			d->suppressed);
	if (d->suppressed_warnings)
		fprintf(stderr, "Number of similar warning messages suppressed: %d.\n",
			d->suppressed_warnings);
	if (d->suppressed || d->suppressed_warnings)
		fputs("Rerun with -v to see them.\n", stderr);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -l / -L: the probe points the pattern resolved to, sorted, once each;
 * -L adds their context variables. */
static void list_probes(const struct elab *e, bool vars)
{
	struct vec pps = {0};
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		if (p->synthetic)
			continue;
		/* a probe through an alias lists as the alias, with the
		 * alias' variables first, as the original does */
		struct strbuf sb;
		sb_init(&sb);
		sb_puts(&sb, p->alias_pp ? p->alias_pp : p->pp);
		if (vars && p->alias_pp)
			vec_foreach(&p->locals, j) {
				const struct symbol *sym = p->locals.items[j];
				sb_printf(&sb, " %s:%s", sym->name, vtype_name(sym->type));
			}
		if (vars && p->vars)
			sb_puts(&sb, p->vars);
		vec_push(&pps, xstrdup(sb_str(&sb)));
		sb_fini(&sb);
	}
	if (pps.len > 1)
		qsort(pps.items, pps.len, sizeof(void *), cmp_str);
	vec_foreach(&pps, i)
		if (i == 0 || strcmp(pps.items[i], pps.items[i - 1]) != 0)
			printf("%s\n", (char *)pps.items[i]);
	vec_foreach(&pps, i)
		free(pps.items[i]);
	vec_fini(&pps);
}

int main(int argc, char **argv)
{
	struct session s = {.last_pass = 5};
	int rc = parse_options(&s, argc, argv);
	if (rc >= 0) {
		vec_fini(&s.defines);
		vec_fini(&s.include_dirs);
		vec_fini(&s.global_inits);
		vec_fini(&s.symbol_objs);
		return rc;
	}

	struct arena arena;
	arena_init(&arena);
	struct diag diag;
	diag_init(&diag, stderr, s.verbose);
	diag.no_warnings = s.suppress_warnings;
	struct source src = {0};
	struct vec library = {0}; /* macros of the tapset library */
	int library_files = 0;
	struct timespec start;
	struct rusage ru0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	getrusage(RUSAGE_SELF, &ru0);

	rc = 1;
	/* the session's private temporary directory, made first as the
	 * original does: a bad $TMPDIR stops every pass */
	if (!build_tmpdir(&s))
		goto out;
	if (s.dump_probe_types) {
		elab_dump_probe_types(stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	struct parse_opts pass1_opts;
	struct program *prog =
		run_pass1(&s, &arena, &diag, &src, &library, &library_files, &pass1_opts);
	if (!prog) {
		fputs("Pass 1: parse failed.  [man error::pass1]\n", stderr);
		if (diag.suppressed)
			fprintf(stderr,
				"Number of similar error messages suppressed: %d.\n"
				"Rerun with -v to see them.\n",
				diag.suppressed);
		goto out;
	}
	if (s.verbose) {
		fprintf(stderr, "Pass 1: parsed user script and %d library scripts ",
			library_files);
		print_pass_usage(&start, &ru0);
	}
	if (s.dump_functions) {
		elab_dump_functions(&s, &arena, &pass1_opts, stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	if (s.last_pass == 1) {
		ast_print(stdout, prog);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	struct timespec start2;
	struct rusage ru2;
	clock_gettime(CLOCK_MONOTONIC, &start2);
	getrusage(RUSAGE_SELF, &ru2);
	struct elab *elab = elaborate(&s, &arena, prog, &pass1_opts, &diag);
	for (int i = 0; i < s.argc && !s.suppress_warnings && !s.list_probes; i++)
		if (!pass1_opts.args_used[i])
			fprintf(stderr, "WARNING: unused command line option $%d/@%d\n", i + 1,
				i + 1);
	/* -W: pass 2's warnings count as errors (the original's pass 1 ignores it) */
	if (!elab || (s.werror && diag.shown_warnings)) {
		fputs("Pass 2: analysis failed.  [man error::pass2]\n", stderr);
		print_suppressed(&diag);
		goto out;
	}
	if (s.verbose) {
		size_t np = elab->probes.len, nf = elab->functions.len, ng = elab->globals.len;
		fprintf(stderr,
			"Pass 2: analyzed script: %zu probe%s, %zu function%s, %zu embed%s, "
			"%zu global%s ",
			np, np == 1 ? "" : "s", nf, nf == 1 ? "" : "s", elab->embeds.len,
			elab->embeds.len == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
		print_pass_usage(&start2, &ru2);
	}
	if (s.list_probes) {
		list_probes(elab, s.list_with_vars);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	if (s.last_pass == 2) {
		elab_print(stdout, elab, s.verbose > 0);
		rc = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	/* what the original's translator refuses, twice (read and write) */
	vec_foreach(&elab->bad_lvalues, i) {
		const struct expr *e = elab->bad_lvalues.items[i];
		diag_semantic(&diag, NULL, e->tok, "invalid lvalue type");
		diag_semantic(&diag, NULL, e->tok, "invalid lvalue type");
	}
	if (elab->bad_lvalues.len) {
		fputs("Pass 3: translation failed.  [man error::pass3]\n", stderr);
		print_suppressed(&diag);
		goto out;
	}
	warn_symbol_objs(&s);
	rc = run_passes_3_to_5(&s, elab);
out:
	vec_fini(&library);
	diag_fini(&diag);
	arena_fini(&arena);
	vec_fini(&s.defines);
	vec_fini(&s.include_dirs);
	vec_fini(&s.global_inits);
	vec_fini(&s.symbol_objs);
	build_cleanup(&s);
	free(s.list_text);
	return rc;
}
