/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The domain's view, served to every process as /proc/net/yasmin_view (view.c; the format is
 * the contract's, YASMIN_VIEW_PROC_PATH).
 */
#ifndef YASMIN_VIEW_H
#define YASMIN_VIEW_H

/*
 * Reads the view, watches yasmin/generation and creates the file.  Call with
 * yasmin_local_domid set; yasmin_view_exit() undoes it all.
 */
int yasmin_view_init(void);
void yasmin_view_exit(void);

/*
 * Save/restore (suspend.c), in the xenwatch thread with xenwatch_mutex held: suspend stops
 * watching and empties the view (generation 0); resume, once yasmin_local_domid holds the
 * domid after the resume, watches the new domain's view and reads it.
 */
void yasmin_view_suspend(void);
int yasmin_view_resume(void);

#endif /* YASMIN_VIEW_H */
