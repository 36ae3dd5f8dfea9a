# Build, test and fuzz stap.  Every .c file under src/ (three levels deep) is
# part of the program, so a new file needs no edit here.  Three builds live
# side by side, each with its own object directory: the normal one (build/),
# one with AddressSanitizer and UBSan (build-asan/), and the libFuzzer target
# (build/fuzz_parse, clang only).  Each object directory keeps a stamp of the
# compiler and flags it was built with, so `make WERROR=1` after a plain
# `make` recompiles everything instead of trusting objects built without
# -Werror.
#
#   make               build/stap
#   make check         unit tests, golden tests and the -p1 round trip
#   make check-asan    the same with the sanitizer build
#   make check-qemu    the kernel-probe tests of tests/qemu/ in a 6.1 kernel under qemu
#   make fuzz-run      fuzz the parser for FUZZ_SECONDS (default 60)
#   make format        clang-format every C file under src/ and tests/
#   make install       stap, staprun, tapset/, runtime headers, man pages and
#                      bash completion under $(DESTDIR)$(PREFIX) (/usr/local)
#   make uninstall     removes what install put there
#   make installcheck  the golden tests against the installed stap
#
# WERROR=1 (CI) turns warnings into errors; VERBOSE=1 and UPDATE=1 are passed
# on to the test runner.

CC           ?= cc
FUZZ_CC      ?= clang
CLANG_FORMAT ?= clang-format
FUZZ_SECONDS ?= 60

WARNINGS := -Wall -Wextra -Wshadow -Wundef -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

CFLAGS   ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
LDLIBS   ?= -lbpf -ldw -lelf -lz -ldl

# What every build shares; CFLAGS stays the user's to override.  The
# sanitizer builds show warnings but never stop on them: GCC warns falsely
# under -fsanitize (its manual advises against combining it with -Werror),
# and the plain build already holds the code to -Werror.
BASE_CFLAGS := -std=gnu11 $(WARNINGS)
SAN_CFLAGS  := $(filter-out -Werror,$(BASE_CFLAGS))
DEP_FLAGS   := -MMD -MP

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer

# src/exporter.c is a program of its own (build/stap-exporter)
SRCS      := $(filter-out src/exporter.c,$(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c)))
FUZZ_SRCS := $(filter-out src/main.c src/staprun.c,$(SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))

OBJDIR      := build/obj
ASAN_OBJDIR := build-asan/obj
FUZZ_OBJDIR := build/fuzz-obj

ALL_OBJS      := $(SRCS:src/%.c=$(OBJDIR)/%.o)
ALL_ASAN_OBJS := $(SRCS:src/%.c=$(ASAN_OBJDIR)/%.o)
# staprun.c and main.c each hold a main(): the two programs share the rest
OBJS      := $(filter-out $(OBJDIR)/staprun.o,$(ALL_OBJS))
ASAN_OBJS := $(filter-out $(ASAN_OBJDIR)/staprun.o,$(ALL_ASAN_OBJS))
FUZZ_OBJS := $(FUZZ_SRCS:src/%.c=$(FUZZ_OBJDIR)/%.o) $(FUZZ_OBJDIR)/fuzz_parse.o

# Unit tests link with everything but main.o.
LIB_OBJS      := $(filter-out $(OBJDIR)/main.o,$(OBJS))
ASAN_LIB_OBJS := $(filter-out $(ASAN_OBJDIR)/main.o,$(ASAN_OBJS))
UNITS         := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)
ASAN_UNITS    := $(UNIT_SRCS:tests/unit/%.c=build-asan/unit/%)

STAP      := build/stap
ASAN_STAP := build-asan/stap
STAPRUN      := build/staprun
EXPORTER     := build/stap-exporter
ASAN_STAPRUN := build-asan/staprun
ASAN_EXPORTER := build-asan/stap-exporter
FUZZER    := build/fuzz_parse

FUZZ_CORPUS    := build/fuzz-corpus
FUZZ_ARTIFACTS := build/fuzz-artifacts
FUZZ_LOG       := build/fuzz.log

# reference-emu/ is glue for the original's runtime (an oracle, in its style)
FORMAT_FILES = $(sort $(shell find src tests -name '*.[ch]' -type f -not -path '*/reference-emu/*' 2>/dev/null))

# ---- installing ----
#
# The binaries find the library relative to themselves (src/session.c,
# src/build/build.c): BINDIR/../share/stap-ebpf/{tapset,runtime/include}, so
# BINDIR and DATADIR keep that relation; an install can be moved as a whole.
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      := $(PREFIX)/bin
DATADIR     := $(PREFIX)/share/stap-ebpf
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL     ?= install

TAPSET_FILES := $(sort $(wildcard tapset/*.stp tapset/*.stpm tapset/*/*.stp tapset/*/*.stpm))
RUNTIME_HEADERS := $(sort $(wildcard runtime/include/*.h))
# The tapset reference (function::NAME.3stap...) is generated from the doc
# comments of tapset/*.stp (scripts/tapset-man.pl) into build/man/3stap/;
# the pages have '::' in their names, which make cannot name as targets, so
# one stamp stands for them all (tapset/ itself among its prerequisites: a
# file removed takes its pages with it).
MAN_STAMP := build/man/.stamp
MAN_PAGES := man/stap.1 man/staprun.8 man/stapprobes.3stap

export ASAN_OPTIONS  ?= detect_leaks=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

.PHONY: all asan check check-asan check-qemu fuzz fuzz-run format format-check clean difftest FORCE \
	install uninstall installcheck man
.DELETE_ON_ERROR:

all: $(STAP) $(STAPRUN) $(EXPORTER) $(MAN_STAMP)

asan: $(ASAN_STAP) $(ASAN_STAPRUN) $(ASAN_EXPORTER)

# ---- the three builds ----

# -rdynamic: modules (shared objects of generated C) call the runtime's stp_*
$(STAP): $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(ASAN_STAP): $(ASAN_OBJS)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(STAPRUN): $(LIB_OBJS) $(OBJDIR)/staprun.o
	$(CC) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

# the Prometheus exporter (docs/exporter.md): no library of ours
$(EXPORTER): src/exporter.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(ASAN_EXPORTER): src/exporter.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $<

$(ASAN_STAPRUN): $(ASAN_LIB_OBJS) $(ASAN_OBJDIR)/staprun.o
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(FUZZER): $(FUZZ_OBJS)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJDIR)/%.o: src/%.c $(OBJDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(DEP_FLAGS) -c $< -o $@

$(ASAN_OBJDIR)/%.o: src/%.c $(ASAN_OBJDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SAN_CFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(DEP_FLAGS) -c $< -o $@

$(FUZZ_OBJDIR)/%.o: src/%.c $(FUZZ_OBJDIR)/.flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(SAN_CFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		$(DEP_FLAGS) -c $< -o $@

$(FUZZ_OBJDIR)/fuzz_parse.o: tests/fuzz/fuzz_parse.c $(FUZZ_OBJDIR)/.flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Isrc $(SAN_CFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		$(DEP_FLAGS) -c $< -o $@

build/unit/%: tests/unit/%.c $(LIB_OBJS) $(OBJDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc $(BASE_CFLAGS) $(CFLAGS) $(DEP_FLAGS) $(LDFLAGS) \
		-o $@ $< $(LIB_OBJS) $(LDLIBS)

build-asan/unit/%: tests/unit/%.c $(ASAN_LIB_OBJS) $(ASAN_OBJDIR)/.flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Isrc $(SAN_CFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(DEP_FLAGS) $(LDFLAGS) \
		-o $@ $< $(ASAN_LIB_OBJS) $(LDLIBS)

# Rewritten only when the compiler or flags differ from the last build.
stamp = @mkdir -p $(@D); echo '$(1)' | cmp -s - $@ || echo '$(1)' > $@

$(OBJDIR)/.flags: FORCE
	$(call stamp,$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS))

$(ASAN_OBJDIR)/.flags: FORCE
	$(call stamp,$(CC) $(CPPFLAGS) $(SAN_CFLAGS) $(CFLAGS) $(ASAN_FLAGS))

$(FUZZ_OBJDIR)/.flags: FORCE
	$(call stamp,$(FUZZ_CC) $(CPPFLAGS) $(SAN_CFLAGS) $(CFLAGS) $(FUZZ_FLAGS))

-include $(ALL_OBJS:.o=.d) $(ALL_ASAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) $(UNITS:=.d) $(ASAN_UNITS:=.d)

# ---- tests ----

# Every unit test (tests/unit/test_*.c, each printing "N passed, N failed")
# and every runner always run, so one failing does not hide the others;
# $(3) adds runners of one build only.
define run_checks
	@rc=0; \
	for unit in $(2); do \
		echo "unit test $$unit:"; \
		./$$unit || rc=1; \
	done; \
	bash tests/run-tests.sh $(1) || rc=1; \
	bash tests/roundtrip.sh $(1) || rc=1; \
	bash tests/cli.sh $(1) || rc=1; \
	bash tests/session.sh $(1) || rc=1; \
	bash tests/procfs.sh $(1) || rc=1; \
	bash tests/exporter.sh $(1) || rc=1; \
	bash tests/kernel-lang.sh $(1) || rc=1; \
	bash tests/kernel-session.sh $(1) || rc=1; \
	$(3) \
	exit $$rc
endef

# The kernel-probe tests' event maker (tests/kernel/trigger.c).
TRIGGER := build/trigger
$(TRIGGER): tests/kernel/trigger.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static $(BASE_CFLAGS) -o $@ $<

# The user-space probes' test program (tests/uprobes/target.c): -g for its
# DWARF (the probe points name NAME@FILE:LINE), USDT marks from sys/sdt.h
# (systemtap-sdt-dev).  Compiled from the repository root, so that its DWARF
# names the file tests/uprobes/target.c, as the expected outputs do.
UPTARGET := build/uptarget
$(UPTARGET): tests/uprobes/target.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(BASE_CFLAGS) -o $@ $<

# The process events' test program (tests/uprobes/proctarget.c): a thread,
# a forked child, an exec.
UPPROC := build/upproc
$(UPPROC): tests/uprobes/proctarget.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(BASE_CFLAGS) -pthread -o $@ $<

# The same without its DWARF (symbols kept): probes by name still work,
# $variables are refused with the original's error.
UPNODEBUG := build/uptarget-nodebug
$(UPNODEBUG): $(UPTARGET)
	strip -g -o $@ $<

# The differential tester's script generator (tests/difftest/gen.c).
DIFFTEST_GEN := build/difftest-gen
$(DIFFTEST_GEN): tests/difftest/gen.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(BASE_CFLAGS) -o $@ $<

# bpf-lint.sh in the plain build only: the sanitizers do not change the C;
# so tests/install.sh (make install into a temporary DESTDIR, the man pages,
# completion and the Debian package: it installs the plain build); so the
# differential tester's CI set (seeds 1..DIFFTEST_CI, about two
# minutes here): what it compares is the BPF code against the user-space one.
DIFFTEST_CI ?= 200
check: $(STAP) $(STAPRUN) $(EXPORTER) $(UNITS) $(TRIGGER) $(UPTARGET) $(UPPROC) $(UPNODEBUG) $(DIFFTEST_GEN) $(MAN_STAMP)
	$(call run_checks,$(STAP),$(UNITS),bash tests/bpf-lint.sh $(STAP) || rc=1; \
		bash tests/difftest.sh $(STAP) 1 $(DIFFTEST_CI) || rc=1; \
		bash tests/install.sh || rc=1;)

check-asan: $(ASAN_STAP) $(ASAN_STAPRUN) $(ASAN_EXPORTER) $(ASAN_UNITS) $(TRIGGER) $(UPTARGET) $(UPPROC) $(UPNODEBUG)
	$(call run_checks,$(ASAN_STAP),$(ASAN_UNITS))

# The qemu lane: tests/qemu/ in Debian's 6.1 kernel under qemu, modules
# built here (tests/qemu/README.md); SKIP lines without qemu or apt.
check-qemu: $(STAP) $(STAPRUN) $(TRIGGER)
	@bash tests/qemu/check.sh $(STAP)

# ---- fuzzing ----

fuzz: $(FUZZER)

# Seeds are copied in under their path (slashes made '_') so that files of
# the same name in different folders do not overwrite each other; libFuzzer
# adds what it finds to the same folder, which lives in build/ and is never
# committed.  Crash, timeout and leak inputs land in build/fuzz-artifacts/:
# turn each into a tests/parse/ case.
fuzz-run: $(FUZZER)
	@mkdir -p $(FUZZ_CORPUS) $(FUZZ_ARTIFACTS)
	@for f in $$(find tests/parse examples tapset -name '*.stp' -type f 2>/dev/null); do \
		cp -f "$$f" "$(FUZZ_CORPUS)/seed_$$(echo "$$f" | tr / _)"; \
	done
	@echo "fuzzing the parser for $(FUZZ_SECONDS)s (log: $(FUZZ_LOG))"
	@before=$$(ls $(FUZZ_ARTIFACTS) | wc -l); \
	rc=0; ./$(FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=30 \
		-artifact_prefix=$(FUZZ_ARTIFACTS)/ -print_final_stats=1 \
		$(FUZZ_CORPUS) > $(FUZZ_LOG) 2>&1 || rc=$$?; \
	after=$$(ls $(FUZZ_ARTIFACTS) | wc -l); \
	if [ $$rc -ne 0 ] || [ $$after -gt $$before ]; then \
		tail -n 80 $(FUZZ_LOG); \
		echo "fuzz: FAILED (exit $$rc); inputs in $(FUZZ_ARTIFACTS)/:"; \
		ls -l $(FUZZ_ARTIFACTS); \
		exit 1; \
	fi; \
	grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_LOG) || true; \
	echo "fuzz: no crash in $(FUZZ_SECONDS)s, corpus $$(ls $(FUZZ_CORPUS) | wc -l) inputs"

# ---- formatting ----

format:
	$(if $(FORMAT_FILES),$(CLANG_FORMAT) -i $(FORMAT_FILES),@echo "nothing to format")

format-check:
	$(if $(FORMAT_FILES),$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES),@echo "nothing to check")
	@echo "format-check: ok"

clean:
	rm -rf build build-asan

# ---- man pages, install, uninstall ----

man: $(MAN_STAMP)

$(MAN_STAMP): scripts/tapset-man.pl $(TAPSET_FILES) tapset
	@rm -rf build/man/3stap
	@mkdir -p build/man/3stap
	perl scripts/tapset-man.pl build/man/3stap $(filter %.stp,$(TAPSET_FILES))
	@touch $@

# Directories first, then files with their modes; the tapset keeps its
# subfolders (tapset/linux/... as the original's search path has them).
install: $(STAP) $(STAPRUN) $(MAN_STAMP)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/runtime/include \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(STAP) $(STAPRUN) $(DESTDIR)$(BINDIR)/
	@set -e; for f in $(TAPSET_FILES); do \
		$(INSTALL) -d $(DESTDIR)$(DATADIR)/$$(dirname $$f); \
		$(INSTALL) -m 644 $$f $(DESTDIR)$(DATADIR)/$$f; \
	done
	$(INSTALL) -m 644 $(RUNTIME_HEADERS) $(DESTDIR)$(DATADIR)/runtime/include/
	$(INSTALL) -m 644 man/stap.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 man/staprun.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 644 man/stapprobes.3stap build/man/3stap/*.3stap $(DESTDIR)$(MANDIR)/man3/
	$(INSTALL) -m 644 completion/stap.bash $(DESTDIR)$(BASHCOMPDIR)/stap
	ln -sf stap $(DESTDIR)$(BASHCOMPDIR)/staprun

# Removes exactly what install writes (the reference pages by the names
# generated now); the standard folders (bin/, man/man1/...) stay.
uninstall: $(MAN_STAMP)
	rm -f $(DESTDIR)$(BINDIR)/stap $(DESTDIR)$(BINDIR)/staprun
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/stap.1 $(DESTDIR)$(MANDIR)/man8/staprun.8 \
		$(DESTDIR)$(MANDIR)/man3/stapprobes.3stap
	@for f in build/man/3stap/*.3stap; do rm -f "$(DESTDIR)$(MANDIR)/man3/$${f##*/}"; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/stap $(DESTDIR)$(BASHCOMPDIR)/staprun

# The golden tests against the installed stap (make install first, with the
# same PREFIX and DESTDIR); the trigger and target programs come from build/.
installcheck: $(TRIGGER) $(UPTARGET)
	bash tests/run-tests.sh $(DESTDIR)$(BINDIR)/stap

# ---- the differential tester (tests/difftest.sh) ----

# A long campaign: make difftest SEEDS=100000 [FIRST=1] [BATCH=40]
SEEDS ?= 1000
FIRST ?= 1
difftest: $(STAP) $(STAPRUN) $(TRIGGER) $(DIFFTEST_GEN)
	BATCH=$(or $(BATCH),40) bash tests/difftest.sh $(STAP) $(FIRST) $(SEEDS)
