/*
 * After types: what the original's optimizer and its "display unread
 * globals" step do.  A global of the script that is written but never read
 * gets an end probe (sequence 0, after the script's probes) that prints its
 * value in the original's format: `x=5`, `s="text"`, one `a[k1,"k2"]=v`
 * line per element sorted by value (largest first), and statistics as
 * `st @count=N @min=N @max=N @sum=N @avg=N` (`st @count=0x0` when empty).
 * The probes are written as script text and elaborated like the user's.
 */
#include <string.h>

#include "internal.h"

void elab_add_synthetic(struct elab_state *st, const char *text);

static const char *conv(enum vtype t)
{
	return t == TYPE_STRING ? "\\\"%#s\\\"" : "%#d";
}

static void display_stats(struct strbuf *sb, const char *label, const char *ref,
			  const char *args_prefix)
{
	sb_printf(sb,
		  "printf(\"%s @count=%%#d @min=%%#d @max=%%#d @sum=%%#d @avg=%%#d\\n\"%s, "
		  "@count(%s), @min(%s), @max(%s), @sum(%s), @avg(%s))",
		  label, args_prefix, ref, ref, ref, ref, ref);
}

static void display_probe(struct strbuf *sb, const struct symbol *g)
{
	sb_puts(sb, "probe end {\n");
	if (g->arity <= 0) {
		if (g->type == TYPE_STATS) {
			sb_printf(sb, "if (@count(%s) == 0) printf(\"%s @count=0x0\\n\") else ",
				  g->name, g->name);
			display_stats(sb, g->name, g->name, "");
		} else {
			sb_printf(sb, "printf(\"%s=%s\\n\", %s)", g->name, conv(g->type), g->name);
		}
		sb_puts(sb, "\n}\n");
		return;
	}
	struct strbuf keys, fmt, ref;
	sb_init(&keys);
	sb_init(&fmt);
	sb_init(&ref);
	for (int i = 0; i < g->arity; i++) {
		sb_printf(&keys, "%s__idx%d", i ? ", " : "", i);
		sb_printf(&fmt, "%s%s", i ? "," : "", conv(g->keys[i]));
	}
	sb_printf(&ref, "%s[%s]", g->name, sb_str(&keys));
	sb_printf(sb, "foreach ([%s] in %s-) ", sb_str(&keys), g->name);
	char *label = NULL;
	struct strbuf lb;
	sb_init(&lb);
	sb_printf(&lb, "%s[%s]", g->name, sb_str(&fmt));
	label = (char *)sb_str(&lb);
	if (g->type == TYPE_STATS) {
		struct strbuf pre;
		sb_init(&pre);
		sb_printf(&pre, ", %s", sb_str(&keys));
		display_stats(sb, label, sb_str(&ref), sb_str(&pre));
		sb_fini(&pre);
	} else {
		sb_printf(sb, "printf(\"%s=%s\\n\", %s, %s)", label, conv(g->type), sb_str(&keys),
			  sb_str(&ref));
	}
	sb_puts(sb, "\n}\n");
	sb_fini(&lb);
	sb_fini(&keys);
	sb_fini(&fmt);
	sb_fini(&ref);
}

void optimize(struct elab_state *st)
{
	struct strbuf sb;
	sb_init(&sb);
	size_t nglobals = st->e->globals.len;
	for (size_t i = 0; i < nglobals; i++) {
		const struct symbol *g = st->e->globals.items[i];
		if (g->from_tapset || g->read || !g->written)
			continue;
		display_probe(&sb, g);
	}
	if (sb.len) {
		elab_add_synthetic(st, sb_str(&sb));
		types_infer(st);
	}
	sb_fini(&sb);
}
