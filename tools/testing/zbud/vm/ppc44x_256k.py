# SPDX-License-Identifier: GPL-2.0-only
#
# kunit.py --qemu_config for vm/kunit-pages.sh: a 32-bit PowerPC 440
# (QEMU's bamboo board) with 256 KiB pages, the largest page size 6.1
# supports and the only one where zbud's unit is 16 bytes.
#
# SLAB, not SLUB: 6.1's SLUB counts a slab's objects in 15 bits, so on
# 256 KiB pages it cannot make a cache of 8-byte objects and the kernel
# panics at boot (on eventpoll's 'ep_head').  The board takes at most
# 256 MiB; QEMU keeps the last -m, so this one overrides kunit.py's.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
# CONFIG_PPC64 is not set
CONFIG_44x=y
CONFIG_BAMBOO=y
CONFIG_PPC_256K_PAGES=y
CONFIG_SLAB=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y''',
			   qemu_arch='ppc',
			   kernel_path='vmlinux',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-M', 'bamboo', '-m', '256'])
