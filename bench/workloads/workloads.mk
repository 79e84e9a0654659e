# bench/workloads/workloads.mk - the static workload programs of `strata compare`
# (included by the top-level Makefile).  Each is built with `gcc -static -O2`
# into $(BUILD)/workloads/ and appended to WORKLOAD_TARGETS; `make install`
# copies them to $(PREFIX)/libexec/strata/, where `strata compare` finds them.

BENCH_WORKLOADS := true idle getpid open seqread pipe forkexec
BENCH_PROBE_SRCS := bench/workloads/probe.c bench/workloads/probe_attempts.c \
	bench/workloads/probe_classify.c bench/workloads/probe_syscalls.c bench/workloads/probe_report.c
BENCH_CFLAGS := -std=gnu11 $(WARN) -O2 -static -D_GNU_SOURCE

WORKLOAD_TARGETS += $(patsubst %,$(BUILD)/workloads/bench-%,$(BENCH_WORKLOADS)) $(BUILD)/workloads/bench-probe

$(BUILD)/workloads/bench-probe: $(BENCH_PROBE_SRCS) bench/workloads/probe.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_PROBE_SRCS)

$(BUILD)/workloads/bench-%: bench/workloads/%.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<
