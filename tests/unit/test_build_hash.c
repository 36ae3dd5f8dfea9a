/*
 * Unit test for the module cache key (src/build/build.c): everything that
 * changes the module must change the key, or a cached module built for
 * other options or another kernel would be loaded.  Each case changes one
 * input (an option, or a fact of the system: kernel release and build,
 * architecture, BTF, kernel config) and expects another key; the same
 * inputs twice give the same key.
 *
 *   make build/unit/test_build_hash && build/unit/test_build_hash
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"

static int passed, failed;

static char *key(const struct session *s, const struct build_system *sys)
{
	struct vec texts = {0};
	vec_push(&texts, "probe begin { exit() }");
	char *h = build_hash_for(s, &texts, false, sys);
	vec_fini(&texts);
	return h;
}

static void expect_change(const char *what, const char *base, char *changed)
{
	if (strcmp(base, changed) != 0) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s: the key did not change (%s)\n", what, changed);
	}
	free(changed);
}

int main(void)
{
	struct session s = {.last_pass = 5};
	struct build_system sys = {
		.release = "6.1.0-13-amd64",
		.version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1",
		.machine = "x86_64",
		.btf = "5242880 1700000000.000000000",
		.config = "CONFIG_HZ=250\n",
	};
	char *base = key(&s, &sys);
	char *again = key(&s, &sys);
	if (strcmp(base, again) == 0) {
		passed++;
	} else {
		failed++;
		printf("FAIL stable: %s then %s\n", base, again);
	}
	free(again);

	struct session o = s;
	o.runtime = "bpf";
	expect_change("--runtime", base, key(&o, &sys));
	o = s;
	o.compatible = "3.0";
	expect_change("--compatible", base, key(&o, &sys));
	o = s;
	o.privilege = "stapusr";
	expect_change("--privilege", base, key(&o, &sys));
	o = s;
	o.timing = true;
	expect_change("-t", base, key(&o, &sys));
	o = s;
	o.guru = true;
	expect_change("-g", base, key(&o, &sys));

	struct build_system other = sys;
	other.release = "6.1.0-14-amd64";
	expect_change("kernel release", base, key(&s, &other));
	other = sys;
	other.version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.56-1";
	expect_change("kernel build", base, key(&s, &other));
	other = sys;
	other.machine = "aarch64";
	expect_change("architecture", base, key(&s, &other));
	other = sys;
	other.btf = "5242881 1700000000.000000000";
	expect_change("BTF", base, key(&s, &other));
	other = sys;
	other.config = "CONFIG_HZ=1000\n";
	expect_change("kernel config", base, key(&s, &other));
	/* a value moved from one field to the next is another system too */
	other = sys;
	other.btf = "";
	other.config = "5242880 1700000000.000000000CONFIG_HZ=250\n";
	expect_change("field boundaries", base, key(&s, &other));

	free(base);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
