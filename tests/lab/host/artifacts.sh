# Builders of the lab's artifacts, each cached by a key over its inputs and over the text of
# its own builder function, so that changing how an artifact is made rebuilds just that one.
# shellcheck shell=bash
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --- Xen: the multiboot ELF that qemu -kernel loads ------------------------------------------
build_xen() {
    local out=$1 deb
    deb=$(lab_deb "xen-hypervisor-$YASMIN_XEN_SERIES-amd64" "$YASMIN_XEN_DEB_VERSION")
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/xen-$YASMIN_XEN_SERIES-amd64.gz" |
        gunzip >"$out/xen.elf"
}
artifact_xen() {
    lab_cached xen "$(lab_key "$(declare -f build_xen)" "$YASMIN_XEN_DEB_VERSION")" build_xen
}

# --- Linux: ELF vmlinux for dom0, a gzip of it for guests, and the modules tree -------------
build_kernel() {
    local out=$1 deb
    deb=$(lab_deb "linux-image-$YASMIN_KERNEL_ABI" "$YASMIN_KERNEL_DEB_VERSION")
    mkdir "$out/pkg"
    dpkg-deb -x "$deb" "$out/pkg"
    python3 "$LAB_DIR/host/extract-vmlinux.py" "$out/pkg/boot/vmlinuz-$YASMIN_KERNEL_ABI" "$out/vmlinux"
    # libxenguest inflates gzip much faster than the bzImage's XZ when emulated.
    gzip -1 -c "$out/vmlinux" >"$out/vmlinux.gz"
    cp "$out/pkg/boot/config-$YASMIN_KERNEL_ABI" "$out/config"
    mv "$out/pkg/lib" "$out/lib"
    depmod -b "$out" "$YASMIN_KERNEL_ABI"   # the package leaves this to its postinst
    rm -rf "$out/pkg"
    echo "$YASMIN_KERNEL_DEB_VERSION" >"$out/deb-version"
}
artifact_kernel() {
    lab_cached kernel "$(lab_key "$(declare -f build_kernel)" "$LAB_DIR/host/extract-vmlinux.py" \
        "$YASMIN_KERNEL_ABI" "$YASMIN_KERNEL_DEB_VERSION")" build_kernel
}

# --- dom0 base: debootstrap bookworm, brought to the point release, Xen tools pinned --------
build_dom0_base() {
    local out=$1 root=$1/root pkgs
    pkgs=$(grep -v '^#' "$LAB_DIR/dom0/packages" | paste -sd, -)
    debootstrap --variant=minbase --include="$pkgs" "$YASMIN_DEBIAN_SUITE" "$root" \
        "$YASMIN_DEBIAN_MIRROR"
    cat >"$root/etc/apt/sources.list" <<SOURCES
deb $YASMIN_DEBIAN_MIRROR $YASMIN_DEBIAN_SUITE main
deb $YASMIN_DEBIAN_MIRROR $YASMIN_DEBIAN_SUITE-updates main
deb $YASMIN_DEBIAN_SECURITY_MIRROR $YASMIN_DEBIAN_SUITE-security main
SOURCES
    # No daemon may start inside the build chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    local rc=0
    chroot "$root" /bin/sh -ec "
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get -y -qq upgrade
        apt-get -y -qq install --no-install-recommends xen-utils-$YASMIN_XEN_SERIES=$YASMIN_XEN_DEB_VERSION
        apt-get clean" || rc=$?
    umount "$root/proc"
    [ $rc -eq 0 ] || return $rc
    rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/{doc,man,locale,info}/*
}
artifact_dom0_base() {
    lab_cached dom0-base "$(lab_key "$(declare -f build_dom0_base)" "$LAB_DIR/dom0/packages" \
        "$YASMIN_DEBIAN_SUITE" "$YASMIN_DEBIAN_MIRROR" "$YASMIN_XEN_DEB_VERSION")" build_dom0_base
}

# --- dom0 image: base + kernel modules + lab init + the project's install tree --------------
tree_hash() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -c1-16; }

build_dom0_image() {
    local out=$1 root=$1/root kernel=$DOM0_KERNEL_DIR
    # Hard links make the copy of the base free; files replaced below are unlinked first.
    cp -al "$DOM0_BASE_DIR/root" "$root"
    cp -a "$kernel/lib/modules" "$root/lib/"
    # Drivers no emulated Xen host has: halves the image.
    rm -rf "$root/lib/modules/$YASMIN_KERNEL_ABI/kernel/"{sound,drivers/gpu,drivers/media,drivers/infiniband,drivers/net/wireless,drivers/staging,drivers/bluetooth}
    # Debian's root has merged /usr (/lib -> usr/lib): overlay without replacing those links.
    tar -C "$DOM0_STAGE" -cf - . | tar -C "$root" -xf - --keep-directory-symlink
    depmod -b "$root" "$YASMIN_KERNEL_ABI"
    install -m 755 "$LAB_DIR/dom0/yasmin-lab-dom0-init" "$root/usr/local/sbin/"
    install -m 755 "$LAB_DIR/dom0/yasmin-lab-vif" "$root/etc/xen/scripts/"
    rm -f "$root/etc/default/xen"
    printf 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"\n' >"$root/etc/default/xen"
    # Every vif goes through the project's hook (xl-hooks/yasmin-vif, installed with the
    # tree above), which runs the lab's own vif script in place of Debian's vif-bridge.
    rm -f "$root/etc/xen/xl.conf" "$root/etc/default/yasmin-vif"
    printf 'vif.default.script="yasmin-vif"\nautoballoon="off"\n' >"$root/etc/xen/xl.conf"
    printf 'YASMIN_VIF_SCRIPT=yasmin-lab-vif\n' >"$root/etc/default/yasmin-vif"
    local mib=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 128 ))
    mkfs.ext4 -q -F -L yasmin-dom0 -d "$root" "$out/dom0.img" "${mib}M"
    rm -rf "$root"
}
artifact_dom0_image() {
    DOM0_STAGE=$1 DOM0_BASE_DIR=$(artifact_dom0_base) DOM0_KERNEL_DIR=$(artifact_kernel)
    lab_cached dom0-image "$(lab_key "$(declare -f build_dom0_image)" "$DOM0_BASE_DIR" \
        "$DOM0_KERNEL_DIR" "$(tree_hash "$DOM0_STAGE")" "$LAB_DIR/dom0/yasmin-lab-dom0-init" \
        "$LAB_DIR/dom0/yasmin-lab-vif")" build_dom0_image
}

# --- initramfs helpers ---------------------------------------------------------------------
# add_modules ROOT KERNEL_DIR MODULE... : copies the modules and their dependencies into ROOT
# and prints their paths in load order (for a plain insmod loop).
add_modules() {
    local root=$1 kernel=$2; shift 2
    local module path
    for module in "$@"; do
        modprobe -d "$kernel" -S "$YASMIN_KERNEL_ABI" --show-depends "$module" |
            awk '$1 == "insmod" {print $2}'
    done | awk '!seen[$0]++' >"$root/.modules.tmp"
    [ -s "$root/.modules.tmp" ] || { echo "add_modules: no module found for: $*" >&2; return 1; }
    while read -r path; do
        mkdir -p "$root$(dirname "${path#"$kernel"}")"
        cp "$path" "$root${path#"$kernel"}"
        echo "${path#"$kernel"}"
    done <"$root/.modules.tmp"
    rm "$root/.modules.tmp"
}

# add_busybox ROOT : a static busybox with every applet linked into ROOT/bin.
add_busybox() {
    local root=$1 applet
    mkdir -p "$root/bin"
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
}

make_cpio_gz() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -6 >"$2"; }

build_dom0_initramfs() {
    local out=$1 root=$1/root kernel
    kernel=$(artifact_kernel)
    mkdir -p "$root"/{dev,proc,sys,newroot}
    add_busybox "$root"
    add_modules "$root" "$kernel" virtio_pci virtio_blk ext4 >"$root/modules.load"
    install -m 755 "$LAB_DIR/dom0/initramfs-init" "$root/init"
    make_cpio_gz "$root" "$out/dom0-initrd.cpio.gz"
    rm -rf "$root"
}
artifact_dom0_initramfs() {
    lab_cached dom0-initramfs "$(lab_key "$(declare -f build_dom0_initramfs add_modules add_busybox make_cpio_gz)" \
        "$(artifact_kernel)" "$LAB_DIR/dom0/initramfs-init" /bin/busybox)" build_dom0_initramfs
}

# --- guest initramfs: busybox, netfront, the project's install tree, the lab's programs -----
# add_program ROOT FILE... : copies dynamically linked programs/libraries with the shared
# libraries they need (the guests run the same Debian 12 userspace as the build host).
add_program() {
    local root=$1 file lib; shift
    for file in "$@"; do
        # [[:space:]], not \s: Debian's awk is mawk, which has no \s (the dynamic loader's
        # line, "/lib64/ld-linux-x86-64.so.2 (0x...)", would go unmatched).
        # (ldd fails on a static program: it simply needs nothing.)
        { ldd "$file" 2>/dev/null || true; } | awk '/=> \//{print $3} /^[[:space:]]*\/lib/{print $1}' |
            while read -r lib; do
                [ -e "$root$lib" ] || install -D -m 755 "$lib" "$root$lib"
            done
    done
}

# add_unmodified_programs ROOT : the unmodified programs 44-preload-programs runs under
# yasmin-run, Debian's own builds as scripts/install-deps installs them on the build host, with
# their libraries and the little of /etc and of Python's standard library they need.  About
# 40 MiB more of the guests' 256 MiB of RAM (the initramfs stays unpacked there).
add_unmodified_programs() {
    local root=$1 file
    local binaries=(/usr/bin/iperf3 /usr/bin/NPtcp /usr/bin/sockperf /usr/bin/curl /usr/bin/wrk
                    /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/redis-benchmark
                    /usr/sbin/nginx /usr/bin/nc.openbsd /usr/bin/python3.11)
    for file in "${binaries[@]}"; do
        [ -x "$file" ] || { echo "no $file on the build host (scripts/install-deps)" >&2; return 1; }
        # install follows links: redis-server (a link to redis-check-rdb, which looks at its
        # own name) lands as a file of its own.
        install -D -m 755 "$file" "$root$file"
    done
    add_program "$root" "${binaries[@]}"
    ln -s python3.11 "$root/usr/bin/python3"
    # The standard library, without what neither `python3 -m http.server` nor the scenario's
    # helpers import: tests, GUIs, packaging, the static libpython (25 MiB) and the bytecode
    # caches (Python compiles what it imports, once, into the guest's RAM), and the
    # extension modules that would pull in libraries of their own (sqlite, curses, dbm,
    # readline).  Debian's sitecustomize.py is a link into /etc/python3.11: left out too.
    local py=usr/lib/python3.11
    tar -C / -cf - --exclude=__pycache__ --exclude="$py/"{test,'*/test',idlelib,tkinter,turtledemo} \
        --exclude="$py/"{ensurepip,lib2to3,pydoc_data,distutils,sqlite3,curses,dbm} \
        --exclude="$py/"{unittest,config-3.11-x86_64-linux-gnu,site-packages,sitecustomize.py} \
        --exclude="$py/lib-dynload/"{_test,_xx,xx,_ctypes_test,_sqlite3,_curses,_dbm,readline,nis}'*' \
        "$py" | tar -C "$root" -xf -
    add_program "$root" "$root/$py/lib-dynload/"*.so
    # nginx: the MIME types its lab configuration includes (the scenario writes that
    # configuration, with temporary paths under /tmp, at run time).
    install -D -m 644 /etc/nginx/mime.types "$root/etc/nginx/mime.types"
    # Users and groups: nginx's master looks its workers' user up.  Protocols: NPtcp asks
    # getprotobyname("tcp").
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
        >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    printf 'ip\t0\tIP\ntcp\t6\tTCP\nudp\t17\tUDP\n' >"$root/etc/protocols"
}

# build_guest_initramfs OUT STAGE LAB_PROGRAMS_DIR : not cached (a second or two): it changes
# with every build of the module or the lab programs.  A fourth argument, LAB_MODULES_DIR, holds
# lab-only kernel modules (yasmin_hostile.ko) to add beside what users install.
build_guest_initramfs() {
    local out=$1 stage=$2 programs=$3 lab_modules=${4:-} root=$1/root kernel
    kernel=$(artifact_kernel)
    mkdir -p "$root"/{dev,proc,sys,tmp,run,usr/local/bin}
    add_busybox "$root"
    # vsock: yasmin.ko registers a vsock transport (modprobe must find vsock.ko);
    # vsock_loopback: the kernel's reference transport the vsock scenarios compare with;
    # vsock_diag: what `ss -A vsock` asks (79-yasmin-ss).
    add_modules "$root" "$kernel" xen-netfront vsock vsock_loopback vsock_diag >/dev/null
    # ss (iproute2; busybox has none), for `ss -A vsock`, with its shared libraries below.
    [ -x /usr/bin/ss ] || { echo "no /usr/bin/ss on the build host (iproute2)" >&2; return 1; }
    install -D -m 755 /usr/bin/ss "$root/usr/bin/ss"
    # What a user installs (cmake --install + make module_install), minus dom0-only parts.
    cp -a "$stage/." "$root/"
    rm -rf "$root/usr/sbin/yasmind" "$root/usr/sbin/yasminctl" "$root/usr/share/doc" \
        "$root/etc/init.d/yasmind" "$root/etc/default/yasmind" "$root/etc/yasmin" \
        "$root/usr/lib/systemd/system/yasmind.service"
    [ -z "$lab_modules" ] || cp -a "$lab_modules/." "$root/"
    depmod -b "$root" "$YASMIN_KERNEL_ABI"
    local file
    while IFS= read -r -d '' file; do
        [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] && add_program "$root" "$file"
    done < <(find "$root/usr" -type f -print0)
    install -m 755 "$programs"/* "$root/usr/local/bin/"
    add_program "$root" "$programs"/*   # the dynamically linked ones need their libraries
    add_unmodified_programs "$root"
    install -m 755 "$LAB_DIR/guest/init" "$root/init"
    make_cpio_gz "$root" "$out/initrd.gz"
    rm -rf "$root"
}
