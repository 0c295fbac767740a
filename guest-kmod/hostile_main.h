/* SPDX-License-Identifier: GPL-2.0 */
/*
 * yasmin_hostile.ko only: forced into its copy of yasmin_main.c (guest-kmod/Kbuild), so that
 * yasmin's own module_init / module_exit become plain functions that hostile.c's module
 * entry points call around the attack interface.  yasmin_main.c itself is unchanged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int yasmin_hostile_base_init(void);
void yasmin_hostile_base_exit(void);

#undef module_init
#undef module_exit
#define module_init(fn) int __init yasmin_hostile_base_init(void) { return fn(); }
#define module_exit(fn) void __exit yasmin_hostile_base_exit(void) { fn(); }
