/*
 * Every user-facing error and warning goes through here, in SystemTap's words
 * and layout: the message, the token it is about with its location, the
 * source line with a caret, and the macro expansions that led there.
 * Repeated messages are counted and suppressed unless -v is given, as the
 * original does.
 */
#ifndef STAP_DIAG_H
#define STAP_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"

struct token;

struct diag {
	FILE *out;        /* NULL: count only (fuzzing) */
	int verbose;      /* -v: show suppressed duplicates */
	bool no_warnings; /* -w */
	int errors;       /* every error, shown or not */
	int warnings;
	int shown_warnings; /* printed, not silenced by -w nor as repeats (-W) */
	int suppressed;     /* duplicates not shown */
	int suppressed_warnings;
	struct vec seen_warnings; /* heap strings: warning texts already shown */
	struct vec seen;          /* heap strings: messages already shown */
	/* Pass 2 prints a location's file name only when it differs from the
	 * previous location printed (":5:2" otherwise), as the original does. */
	bool elide_file;
	const struct source *last_src;
};

void diag_init(struct diag *d, FILE *out, int verbose);
void diag_fini(struct diag *d);

/* "KIND error: MSG" then "LABEL: TOKEN at FILE:L:C" and the source line.
 * Errors with the same key (NULL: the message) are shown once unless -v. */
void diag_token_error(struct diag *d, const char *key, const char *kind, const char *label,
		      const struct token *tok, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* "WARNING: MSG: TOKEN at FILE:L:C" and the source line; -w silences it. */
void diag_token_warning(struct diag *d, const struct token *tok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Pass 2's form: "semantic error: MSG: TOKEN at FILE:L:C", the source line,
 * a caret and an empty line; tok NULL: "semantic error: MSG" and the empty
 * line.  Errors with the same key (NULL: the message) are shown once unless
 * -v.  Returns whether it was shown. */
bool diag_semantic(struct diag *d, const char *key, const struct token *tok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same without the empty line: a bare part follows (diag_semantic_part
 * with prefix false, blank true). */
bool diag_semantic_open(struct diag *d, const char *key, const struct token *tok, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

/* The next part of a chained message, printed only if the first part was:
 * "semantic error: MSG: TOKEN at ..." (prefix true) or "TOKEN at ..." alone,
 * and its source line; blank adds the empty line. */
void diag_semantic_part(struct diag *d, bool prefix, bool blank, const struct token *tok,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "WARNING: MSG" with no location, once per text unless -v; -w silences it. */
void diag_warning(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A message with no location: "KIND: MSG". */
void diag_plain(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "N parse errors." / "Number of similar error messages suppressed" footer. */
void diag_summary(struct diag *d, const char *what);

#endif
