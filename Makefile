# Convenience targets for the kernel module; userspace builds with CMake (see README.md).
#
#   make module                   build guest-kmod/yasmin.ko for the pinned lab kernel
#   make module KVER=$(uname -r)  build it for another installed kernel
#   make module_install [INSTALL_MOD_PATH=/stage]   the kernel's own modules_install
#   make module_hostile           also guest-kmod/yasmin_hostile.ko, the lab's hostile peer:
#                                 a test tool that no target installs (tests/lab/run)
#   make clean

include config/versions.env

KVER ?= $(YASMIN_KERNEL_ABI)
KDIR ?= /lib/modules/$(KVER)/build
# Debian signs its own modules with a key it does not ship, so an out-of-tree module cannot be
# signed with it: it loads unsigned (the kernel taints; under Secure Boot use DKMS and a MOK).
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) YASMIN_EXPECT_RELEASE=$(KVER) CONFIG_MODULE_SIG_ALL=

.PHONY: module module_hostile module_install clean check-headers

module: check-headers
	$(MAKE) $(KBUILD_ARGS) modules

# With the pinned kernel, the installed headers package must be the very version the lab
# boots; a drifted mirror or a stale machine fails here, loudly, not in a guest.
check-headers:
	@test -d $(KDIR) || { echo "yasmin: no kernel headers at $(KDIR) (run scripts/install-deps)" >&2; exit 1; }
	@if [ "$(KVER)" = "$(YASMIN_KERNEL_ABI)" ]; then \
	    have=$$(dpkg-query -W -f='$${Version}' linux-headers-$(KVER) 2>/dev/null); \
	    if [ "$$have" != "$(YASMIN_KERNEL_DEB_VERSION)" ]; then \
	        echo "yasmin: linux-headers-$(KVER) is '$$have', config/versions.env pins $(YASMIN_KERNEL_DEB_VERSION)" >&2; \
	        exit 1; \
	    fi; \
	fi

# yasmin.ko plus yasmin_hostile.ko (guest-kmod/Kbuild): only the lab loads the latter, in the
# guest that plays the hostile peer (tests/lab/scenarios/81-yasmin-hostile.sh).
module_hostile: check-headers
	$(MAKE) $(KBUILD_ARGS) YASMIN_HOSTILE_BUILD=1 modules

module_install: module
	$(MAKE) $(KBUILD_ARGS) INSTALL_MOD_DIR=updates modules_install

clean:
	$(MAKE) $(KBUILD_ARGS) clean
