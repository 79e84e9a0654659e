/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub_64.S - 64-bit boot protocol test guest for strata's VMM.
 *
 * Entered at e_entry in long mode with the VMM's identity map, CS = 0x10,
 * RSI = boot_params (Linux Documentation/x86/boot.rst, 64-bit boot protocol).
 * Calls stub_main(2, boot_params) in stub_main.c.
 */
#define STUB_MODE_LINUX64 2

	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cli
	leaq stack_top(%rip), %rsp
	movl $STUB_MODE_LINUX64, %edi
	call stub_main
1:	hlt
	jmp 1b

	.section .bss
	.p2align 4
stack:	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
