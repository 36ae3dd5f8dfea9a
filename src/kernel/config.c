/*
 * The running kernel's configuration, as far as stap needs it: HZ (for
 * timer.jiffies and jiffies()), from /boot/config-RELEASE or
 * /proc/config.gz, 250 when neither says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kernel.h"

int kernel_hz(void)
{
	static int hz;
	if (hz)
		return hz;
	hz = 250;
	char path[256];
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
	char rel[128] = "";
	if (f) {
		if (!fgets(rel, sizeof(rel), f))
			rel[0] = 0;
		fclose(f);
		rel[strcspn(rel, "\n")] = 0;
	}
	snprintf(path, sizeof(path), "/boot/config-%s", rel);
	gzFile g = gzopen(path, "r");
	if (!g)
		g = gzopen("/proc/config.gz", "r");
	if (g) {
		char line[256];
		while (gzgets(g, line, sizeof(line)))
			if (strncmp(line, "CONFIG_HZ=", 10) == 0)
				hz = atoi(line + 10);
		gzclose(g);
	}
	if (hz <= 0)
		hz = 250;
	return hz;
}
