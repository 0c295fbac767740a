#!/usr/bin/env python3
"""Write the ELF vmlinux held inside an x86 bzImage.

Xen loads an ELF kernel directly, and decompressing it on the host (once, cached) instead of
inside the emulated dom0's libxenguest saves seconds per guest boot.  The payload's place is
read from the boot protocol's setup header (Documentation/x86/boot.rst), not searched for.
"""
import lzma
import gzip
import struct
import sys


def payload(bzimage: bytes) -> bytes:
    if bzimage[0x202:0x206] != b"HdrS":
        raise ValueError("not a bzImage: no HdrS setup header")
    setup_sects = bzimage[0x1F1] or 4
    offset, length = struct.unpack_from("<II", bzimage, 0x248)
    start = (setup_sects + 1) * 512 + offset
    return bzimage[start:start + length]


def decompress(data: bytes) -> bytes:
    if data.startswith(b"\xfd7zXZ\x00"):
        # The kernel's XZ stream ends with padding the lzma module would reject as trailing data.
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data.startswith(b"\x1f\x8b"):
        return gzip.decompress(data)
    raise ValueError("unsupported kernel compression (expected XZ or gzip)")


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: extract-vmlinux.py BZIMAGE OUT_ELF", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        elf = decompress(payload(f.read()))
    if not elf.startswith(b"\x7fELF"):
        raise SystemExit("decompressed payload is not an ELF image")
    with open(sys.argv[2], "wb") as f:
        f.write(elf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
