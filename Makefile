# strata - an OCI runtime with three isolation levels.  See README.md and CONTRIBUTING.md.
#
# make            build build/strata (and the guest agent, workloads)
# make deps       install the Debian packages the build and the tests need (root, idempotent)
# make demo       deps, build, install, build the busybox bundle, run it at every level
# make check      deps, build, fixtures, unit tests, ASan+UBSan unit tests, bats suites;
#                 prints "N passed, M failed" last
# make fuzz       run the config.json fuzzer for FUZZ_SECONDS (default 300)
# make install    install to $(PREFIX) (default /usr/local)

PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
CC ?= gcc
PKGS := yajl libseccomp libcap-ng libnl-3.0 libnl-route-3.0
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) \
	-DSTRATA_VERSION='"$(VERSION)"' -DSTRATA_COMMIT='"$(COMMIT)"' -D_GNU_SOURCE=
LDLIBS = $(PKG_LIBS) -lpthread

# Library sources: every C file of these folders (main.c of the CLI excluded).
# strata links the objects directly (not the archive) so that a command defined
# in its own file replaces the weak "not implemented" fallback in runtime/cmd_fallback.c.
LIB_DIRS := common oci-spec cgroups netns runtime runtime/native runtime/compare sentry kvm-shim
LIB_SRCS := $(filter-out runtime/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps demo check unit unit-asan install uninstall fuzz clean bench bench-vm guest workloads test-helpers

all: $(BUILD)/strata guest workloads

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libstrata.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/strata: $(BUILD)/runtime/main.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libstrata.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libstrata.a $(LDLIBS) -lcmocka

-include $(LIB_OBJS:.o=.d) $(BUILD)/runtime/main.d $(UNIT_BINS:=.d)

# Optional parts: each folder's mk fragment adds targets (guest agent, workloads, VMM test stubs).
GUEST_TARGETS :=
WORKLOAD_TARGETS :=
-include kvm-shim/guest/guest.mk
-include bench/workloads/workloads.mk
HELPER_TARGETS :=
-include tests/helpers/helpers.mk

guest: $(GUEST_TARGETS)
workloads: $(WORKLOAD_TARGETS)
test-helpers: $(HELPER_TARGETS)

deps:
	@bash tests/fixtures/install-deps.sh

unit: $(UNIT_BINS)
	@bash tests/run-unit.sh $(BUILD) $(UNIT_BINS)

# The same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, built
# into $(ASAN_BUILD) (set it per worker so parallel builds do not share objects).
unit-asan:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" $(ASAN_BUILD)/libstrata.a \
		$(patsubst $(BUILD)/%,$(ASAN_BUILD)/%,$(UNIT_BINS)) >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		bash tests/run-unit.sh $(ASAN_BUILD) $(patsubst $(BUILD)/%,$(ASAN_BUILD)/%,$(UNIT_BINS))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/strata
	install -m 0755 $(BUILD)/strata $(DESTDIR)$(PREFIX)/bin/strata
	ln -sf strata $(DESTDIR)$(PREFIX)/bin/strata-sentry
	ln -sf strata $(DESTDIR)$(PREFIX)/bin/strata-vm
	for f in $(GUEST_TARGETS) $(WORKLOAD_TARGETS); do \
		install -m 0755 $$f $(DESTDIR)$(PREFIX)/libexec/strata/; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/strata $(DESTDIR)$(PREFIX)/bin/strata-sentry $(DESTDIR)$(PREFIX)/bin/strata-vm
	rm -rf $(DESTDIR)$(PREFIX)/libexec/strata

demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory install
	@bash tests/fixtures/demo.sh $(PREFIX)/bin/strata

check: deps
	@$(MAKE) --no-print-directory all test-helpers
	@bash tests/run-check.sh $(BUILD)

fuzz:
	@bash tests/fuzz/run-fuzz.sh $${FUZZ_SECONDS:-300}

bench: all
	@bash bench/run.sh $(BUILD)/strata

bench-vm: all
	@bash bench/vm-boot.sh $(BUILD)/strata

clean:
	rm -rf build $(ASAN_BUILD) build-fuzz
