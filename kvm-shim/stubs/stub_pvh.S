/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub_pvh.S - PVH-entry test guest for strata's VMM.
 *
 * Entered through the Xen ELF note 18 (XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit
 * protected mode with paging off and EBX = hvm_start_info (Xen
 * docs/misc/pvh.pandoc).  It builds its own identity map with 2 MiB pages,
 * enters long mode and calls stub_main(1, start_info) in stub_main.c.
 */
#define STUB_MODE_PVH 1

	.pushsection .note.Xen, "a", @note
	.p2align 2
	.long 4                 /* namesz: "Xen\0" */
	.long 4                 /* descsz */
	.long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32
	.popsection

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
pvh_start32:
	cli
	movl %ebx, pvh_info
	/* PML4[0] -> PDPT, PDPT[0..3] -> PD[0..3], PD: 2048 x 2 MiB pages. */
	movl $pdpt + 3, pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd + 3, %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                 /* present, writable, 2 MiB page */
	movl %eax, pd(,%ecx,8)
	movl $0, pd + 4(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* EFER */
	rdmsr
	orl $0x100, %eax                /* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax           /* PG | PE */
	movl %eax, %cr0
	lgdt gdt_desc
	ljmp $0x08, $pvh_start64

	.code64
pvh_start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	leaq stack_top(%rip), %rsp
	movl $STUB_MODE_PVH, %edi
	movl pvh_info(%rip), %esi
	call stub_main
3:	hlt
	jmp 3b

	.section .rodata
	.p2align 3
gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.section .data
	.p2align 2
pvh_info:
	.long 0

	.section .bss
	.p2align 12
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
	.p2align 4
stack:	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
