# tests/helpers/helpers.mk - small static programs the integration tests use
# (console-socket receiver, raw syscall probe, seccomp notify listener).
# Included from the top-level Makefile; built into $(BUILD)/helpers/.
HELPER_TARGETS := $(BUILD)/helpers/console-receiver $(BUILD)/helpers/sc-probe $(BUILD)/helpers/notify-listener

$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -static -o $@ $<

helpers: $(HELPER_TARGETS)
.PHONY: helpers
