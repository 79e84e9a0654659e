/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * true.c - bench-true: exits 0 at once.  `strata compare` times a whole
 * container life cycle (create, start, exit, delete) around it, and
 * bench-forkexec execs it as its trivial child.
 */
int main(void)
{
	return 0;
}
