# kvm-shim/guest/guest.mk - guest-side programs of the VMM (included by the top Makefile).
#
# VMM test stubs (kvm-shim/stubs): tiny freestanding guests that the VMM unit
# test boots.  Built with Debian's gcc/binutils; no kernel needed.
#   $(BUILD)/kvm-shim/stubs/stub_pvh.elf   PVH entry (Xen ELF note 18)
#   $(BUILD)/kvm-shim/stubs/stub_64.elf    Linux 64-bit boot protocol entry

KVM_STUB_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -m64
KVM_STUB_DIR := $(BUILD)/kvm-shim/stubs
KVM_STUBS := $(KVM_STUB_DIR)/stub_pvh.elf $(KVM_STUB_DIR)/stub_64.elf

$(KVM_STUB_DIR)/%.o: kvm-shim/stubs/%.S
	@mkdir -p $(dir $@)
	$(CC) $(KVM_STUB_CFLAGS) -c $< -o $@

$(KVM_STUB_DIR)/stub_main.o: kvm-shim/stubs/stub_main.c
	@mkdir -p $(dir $@)
	$(CC) $(KVM_STUB_CFLAGS) -c $< -o $@

$(KVM_STUB_DIR)/%.elf: $(KVM_STUB_DIR)/%.o $(KVM_STUB_DIR)/stub_main.o kvm-shim/stubs/stub.ld
	ld -m elf_x86_64 -nostdlib -static --no-warn-rwx-segments -T kvm-shim/stubs/stub.ld -o $@ $< $(KVM_STUB_DIR)/stub_main.o

kvm-stubs: $(KVM_STUBS)
.PHONY: kvm-stubs

GUEST_TARGETS += $(KVM_STUBS)

# The VMM unit test boots the stubs: build them first.
$(BUILD)/tests/test_vmm_stubs: $(KVM_STUBS)

# vmm-boot: boot a kernel or stub in the VMM from the command line (development,
# tests/vm scripts).  Links the library like the unit tests do.
$(BUILD)/kvm-shim/vmm-boot: kvm-shim/tools/vmm_boot.c $(BUILD)/libstrata.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libstrata.a $(LDLIBS)

GUEST_TARGETS += $(BUILD)/kvm-shim/vmm-boot

# The seccomp test boots a stub too.
$(BUILD)/tests/test_vmm_seccomp: $(KVM_STUBS)

# tiny-initrd: a static /init for VMM boot tests of the minimal kernel
# (kvm-shim/kernel/build-kernel.sh) - not the guest agent.
$(BUILD)/kvm-shim/guest/tiny-init: kvm-shim/guest/tiny_init.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Os -Wall -Wextra -Werror -static -o $@ $<

$(BUILD)/kvm-shim/guest/tiny-initrd.cpio.gz: $(BUILD)/kvm-shim/guest/tiny-init
	rm -rf $@.d && mkdir -p $@.d && cp $< $@.d/init
	(cd $@.d && echo init | cpio -o -H newc --quiet | gzip -9) > $@.tmp && mv $@.tmp $@
	rm -rf $@.d

GUEST_TARGETS += $(BUILD)/kvm-shim/guest/tiny-initrd.cpio.gz

# run-one-initrd: a one-command /init (kvm-shim/guest/run_one.c) for VMM tests
# and boot-to-exit measurements of a command such as /bin/true.
$(BUILD)/kvm-shim/guest/run-one: kvm-shim/guest/run_one.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Os -Wall -Wextra -Werror -static -o $@ $<

$(BUILD)/kvm-shim/guest/run-one-initrd.cpio.gz: $(BUILD)/kvm-shim/guest/run-one
	rm -rf $@.d && mkdir -p $@.d && cp $< $@.d/init
	(cd $@.d && echo init | cpio -o -H newc --quiet | gzip -9) > $@.tmp && mv $@.tmp $@
	rm -rf $@.d

GUEST_TARGETS += $(BUILD)/kvm-shim/guest/run-one-initrd.cpio.gz

# The full guest agent (kvm-shim/guest/agent/): its own fragment.
-include kvm-shim/guest/agent.mk
