# kvm-shim/guest/agent.mk - the static guest agent (kvm-shim/guest/agent/),
# PID 1 of the vm level's guest.  Included from guest.mk.
#
#   $(BUILD)/guest/strata-agent          static binary: the agent as PID 1, the
#                                        strata CLI (runtime/main.c) as any other pid
#   $(BUILD)/guest/agent-initrd.cpio.gz  initramfs holding only /init (the agent)
#
# The agent links the whole library statically: Debian ships libyajl_s.a,
# libseccomp.a, libcap-ng.a, libnl-3.a and libnl-route-3.a.  glibc warns that
# getpwnam & co. need NSS modules at run time when linked statically; the
# runtime reads the container's /etc/passwd itself, so those are not reached.

AGENT_DIR := $(BUILD)/guest
AGENT_SRCS := $(wildcard kvm-shim/guest/agent/*.c)
AGENT_OBJS := $(patsubst kvm-shim/guest/agent/%.c,$(AGENT_DIR)/obj/%.o,$(AGENT_SRCS))
AGENT_STATIC_LIBS := -l:libyajl_s.a -lseccomp -lcap-ng -lnl-route-3 -lnl-3 -lpthread -lm

$(AGENT_DIR)/obj/%.o: kvm-shim/guest/agent/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The CLI's main() under another name, so the agent can dispatch to it.
$(AGENT_DIR)/obj/strata_cli.o: runtime/main.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Dmain=strata_cli_main -MMD -MP -c $< -o $@

$(AGENT_DIR)/strata-agent: $(AGENT_OBJS) $(AGENT_DIR)/obj/strata_cli.o $(BUILD)/libstrata.a
	$(CC) $(ALL_CFLAGS) -static -o $@.tmp $(AGENT_OBJS) $(AGENT_DIR)/obj/strata_cli.o $(BUILD)/libstrata.a \
		$(AGENT_STATIC_LIBS) 2> $@.ldlog; rc=$$?; \
		grep -v 'statically linked applications requires\|in function' $@.ldlog >&2; rm -f $@.ldlog; \
		[ $$rc -eq 0 ] && mv $@.tmp $@

$(AGENT_DIR)/agent-initrd.cpio.gz: $(AGENT_DIR)/strata-agent
	rm -rf $@.d && mkdir -p $@.d && strip --strip-debug -o $@.d/init $<
	(cd $@.d && echo init | cpio -o -H newc --quiet | gzip -6) > $@.tmp && mv $@.tmp $@
	rm -rf $@.d

GUEST_TARGETS += $(AGENT_DIR)/strata-agent $(AGENT_DIR)/agent-initrd.cpio.gz

-include $(AGENT_OBJS:.o=.d) $(AGENT_DIR)/obj/strata_cli.d
