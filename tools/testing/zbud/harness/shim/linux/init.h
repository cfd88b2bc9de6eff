/* SPDX-License-Identifier: GPL-2.0-only */
/* Section annotations mean nothing in userspace. */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#define __init
#define __exit
#define __initdata

#endif /* _LINUX_INIT_H */
