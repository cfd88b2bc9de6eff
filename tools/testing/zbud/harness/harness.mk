# SPDX-License-Identifier: GPL-2.0-only
# The harness's sources and flags, for its own Makefile and for others
# (tools/testing/zbud/bench) that build the shims and both zbuds with
# their own CFLAGS:
#
#	include ../harness/harness.mk
#	CPPFLAGS += $(HARNESS_CPPFLAGS)
#	CFLAGS += $(HARNESS_CFLAGS)	# and -DHARNESS_FAST_LOCKS for timing
#	objects from $(HARNESS_SRCS), plus zbud_61.c with $(HARNESS_ZBUD61)
#
# KSRC is a pristine Linux 6.1 tree; by default source.sh provides one
# (from Debian's linux-source-6.1, or a copy of KDIR=...).  source.sh
# takes the cache lock, which a kernel build holds for minutes, so the
# path it gave is remembered in $(CACHE)/harness-ksrc and reused while
# that tree exists and KDIR is unset: the harness only reads the tree,
# which source.sh never changes once it is in place.  A caller may name
# another HARNESS_KSRC_FILE.  "make -s ksrc" prints the tree it uses.

HARNESS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
HARNESS_CACHE := $(or $(CACHE),$(abspath $(HARNESS_DIR)/../../../..)/.cache)
HARNESS_KSRC_FILE ?= $(HARNESS_CACHE)/harness-ksrc

# "make clean" needs no tree.
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
ifeq ($(origin KSRC),undefined)
ifeq ($(KDIR),)
KSRC := $(shell cat $(HARNESS_KSRC_FILE) 2>/dev/null)
endif
ifeq ($(wildcard $(KSRC)/mm/zbud.c),)
KSRC := $(shell $(HARNESS_DIR)/../kernel/source.sh)
ifeq ($(KSRC),)
$(error ../kernel/source.sh gave no kernel tree; set KSRC or KDIR)
endif
ifeq ($(KDIR),)
$(shell mkdir -p $(dir $(HARNESS_KSRC_FILE)) && \
	echo '$(KSRC)' > $(HARNESS_KSRC_FILE))
endif
endif
endif
ifneq ($(words $(KSRC)),1)
$(error KSRC must be one path, not "$(KSRC)")
endif
ifeq ($(wildcard $(KSRC)/mm/zbud.c),)
$(error KSRC=$(KSRC) has no mm/zbud.c: not a Linux 6.1 tree)
endif
endif

# Shims first, so that the kernel's include guards keep tools/include's
# versions of the same headers out; the repository's include/ has only
# linux/zbud.h.
HARNESS_CPPFLAGS := -I$(HARNESS_DIR) -I$(HARNESS_DIR)/shim \
	-I$(KSRC)/tools/include \
	-I$(HARNESS_DIR)/../../../../include \
	-DCONFIG_MEMCG -D'KBUILD_MODNAME="zbud"' -D_GNU_SOURCE

# The compiler flags the kernel code needs (kernel builds use the same).
HARNESS_CFLAGS := -std=gnu11 -fno-strict-aliasing -pthread

# Compile zbud_61.c with these added.
HARNESS_ZBUD61 := -D'ZBUD61_SRC="$(KSRC)/mm/zbud.c"'

HARNESS_SRCS := $(addprefix $(HARNESS_DIR)/, \
	arena.c debugfs.c shim.c workqueue.c xarray.c zbud_ours.c zbud_61.c) \
	$(KSRC)/tools/lib/find_bit.c
