#!/usr/bin/env python3
"""Writes the hand-made seed inputs of ring_fuzz into tests/fuzz/seeds/ (committed; rerun this
after changing the input format in ring_fuzz.c).  Each seed is one scenario a fuzzer would
take long to stumble on; libFuzzer mutates from there.  Usage: tests/fuzz/make_seeds.py"""
import os
import struct

# The operations, in the order of the OP_* enum in ring_fuzz.c.
(P_SPACE, P_WRITE, P_COMMIT, P_SEND, P_NOTIFY, P_WAIT,
 C_ATTACH, C_READABLE, C_READ, C_CONSUME, C_RECV, C_NOTIFY, C_WAIT,
 PEER_WORD, PEER_DATA, RESET, PROBE, CTRL, P_RECORD, C_RECORD) = range(20)

# P_RECORD selector bits: MSG_EOR, an unknown flag, commit; C_RECORD: consume.
R_EOR, R_BAD_FLAG, R_COMMIT = 1, 2, 4
R_CONSUME = 1

# PEER_WORD selectors and value modes.
W_PROD, W_CONS, W_CONS_WANTED, W_PROD_WANTED, W_MAGIC, W_NR_PAGES, W_GREF, W_ANY = range(8)
V_ABS, V_REL, V_EDGE, V_SMALL = range(4)


def ring(nr_log2, start=None, near_wrap=None, seed=0x5A):
    """SETUP bytes: 2**nr_log2 data pages; start index as given, or near_wrap bytes before
    2^32."""
    if near_wrap is not None:
        return bytes([nr_log2, 2]) + struct.pack("<H", near_wrap) + bytes([seed])
    if start is not None:
        return bytes([nr_log2, 1]) + struct.pack("<I", start) + bytes([seed])
    return bytes([nr_log2, 0, seed])


def op(code, r=0):
    return bytes([code | (0x80 if r else 0)])


def length(n):
    """in_len(): a 32-bit length."""
    return bytes([2]) + struct.pack("<I", n)


def hint(delta=0):
    """in_len(): what the ring said is there, plus delta (-128..127)."""
    return bytes([3, delta & 0xFF])


def peer(sel, mode, value=0, r=0, word=0):
    """A peer write: word is the gref index (W_GREF) or the descriptor word (W_ANY)."""
    out = op(PEER_WORD, r) + bytes([sel, mode])
    if sel in (W_GREF, W_ANY):
        out += struct.pack("<H", word)
    if mode == V_ABS:
        out += struct.pack("<I", value)
    elif mode == V_REL:
        out += struct.pack("<h", value)
    else:
        out += bytes([value & 0xFF])
    return out


def ctrl(type_, flags=0, src=1234, dst=80, ring_ref=0, evtchn=0, reserved=(0, 0, 0)):
    """A CTRL operation: a mask byte naming the non-zero fields, a byte naming none of them
    as given in one byte, then those fields in full."""
    fields = [struct.pack("<H", type_), struct.pack("<H", flags), struct.pack("<II", src, dst),
              struct.pack("<I", ring_ref), struct.pack("<I", evtchn)]
    fields += [struct.pack("<I", r) for r in reserved]
    mask, out = 0, b""
    for i, field in enumerate(fields):
        if any(field):
            mask |= 1 << i
            out += field
    return op(CTRL) + bytes([mask, 0]) + out


SEEDS = {
    # Honest producer and consumer on one ring: pieces across pages, peeking, a full ring.
    "loopback": ring(2) + ring(0)
    + op(C_ATTACH) + op(P_SEND) + length(5000) + op(C_RECV) + length(3000)
    + op(P_SEND) + hint() + op(C_READ) + length(10) + length(100)
    + op(C_CONSUME) + hint(-1) + op(C_RECV) + hint() + op(P_WRITE) + length(8192)
    + op(P_COMMIT) + length(4097) + op(C_RECV) + hint(),
    # The same across the wrap of the indexes at 2^32, on both rings.
    "wrap": ring(1, near_wrap=100) + ring(3, start=0x7FFFFF00)
    + op(C_ATTACH) + op(C_ATTACH, 1)
    + op(P_SEND) + length(6000) + op(C_RECV) + length(6000)
    + op(P_SEND, 1) + length(20000) + op(C_RECV, 1) + length(20000)
    + op(P_SEND) + hint() + op(C_RECV) + hint(),
    # A peer producer that claims more than a ring's size, then one that moves prod back.
    "prod_overrun": ring(0) + ring(0)
    + op(C_ATTACH) + op(P_SEND) + length(100) + op(C_READABLE)
    + peer(W_PROD, V_EDGE, 1) + op(C_READABLE) + op(C_RECV) + length(10) + op(C_WAIT)
    + op(C_ATTACH, 1) + op(P_SEND, 1) + length(100) + op(C_READABLE, 1)
    + peer(W_PROD, V_REL, -1, r=1) + op(C_READABLE, 1) + op(C_CONSUME, 1) + length(1),
    # A peer consumer that claims bytes never produced, then one that moves cons back.
    "cons_past_prod": ring(2) + ring(2)
    + op(P_SEND) + length(1000) + peer(W_CONS, V_EDGE, 1) + op(P_SPACE)
    + op(P_SEND) + length(10) + op(P_WAIT)
    + op(P_SEND, 1) + length(1000) + peer(W_CONS, V_EDGE, 0, r=1) + op(P_SPACE, 1)
    + peer(W_CONS, V_REL, -1, r=1) + op(P_SPACE, 1) + op(P_COMMIT, 1) + length(1),
    # Descriptors a consumer must refuse, then one with more pages than were granted.
    "bad_layout": ring(1) + ring(0)
    + peer(W_MAGIC, V_ABS, 0x59524e48) + op(C_ATTACH)
    + peer(W_MAGIC, V_ABS, 0x59524e47) + peer(W_NR_PAGES, V_SMALL, 3) + op(C_ATTACH)
    + peer(W_NR_PAGES, V_ABS, 1024) + op(C_ATTACH)
    + peer(W_NR_PAGES, V_ABS, 0) + op(C_ATTACH)
    + peer(W_NR_PAGES, V_SMALL, 4) + op(C_ATTACH) + op(P_SEND) + length(8192)
    + op(C_RECV) + hint(),
    # The notification flags: waits, notifies, and a peer that sets or clears them.
    "notify": ring(0) + ring(0)
    + op(C_ATTACH) + op(C_WAIT) + op(P_SEND) + length(1) + op(P_NOTIFY)
    + op(P_SEND) + hint() + op(P_WAIT) + op(C_RECV) + length(10) + op(C_NOTIFY)
    + peer(W_PROD_WANTED, V_ABS, 0xFFFFFFFF) + op(P_NOTIFY)
    + peer(W_CONS_WANTED, V_SMALL, 2) + op(C_NOTIFY) + op(C_NOTIFY),
    # Peer writes into the data pages and the padding.
    "peer_data": ring(0) + ring(1)
    + op(C_ATTACH) + op(P_SEND) + length(300)
    + op(PEER_DATA) + struct.pack("<I", 4090) + bytes([12]) + bytes(range(12))
    + peer(W_ANY, V_ABS, 0xDEADBEEF, word=1000) + peer(W_GREF, V_SMALL, 9, word=1)
    + op(C_RECV) + hint(),
    # Set-up calls with values in and out of range, and a reset of a ring in use.
    "probe": ring(0) + ring(0)
    + op(PROBE) + bytes([0]) + struct.pack("<H", 512)
    + op(PROBE) + bytes([4]) + struct.pack("<I", 0x80000000)
    + op(PROBE) + bytes([9]) + struct.pack("<H", 256)
    + op(PROBE) + bytes([1]) + struct.pack("<H", 64) + struct.pack("<I", 0x59524e47)
    + op(PROBE) + bytes([2]) + struct.pack("<H", 513)
    + op(C_ATTACH) + op(P_SEND) + length(10) + op(RESET) + ring(9) + op(C_ATTACH)
    + op(P_SEND) + length(1 << 20) + op(C_RECV) + hint(),
    # Control messages: each type well formed, and each rule broken once.
    "ctrl": ring(0) + ring(0)
    + ctrl(1, evtchn=7, ring_ref=42) + ctrl(1, ring_ref=42) + ctrl(1, evtchn=7, flags=1)
    + ctrl(2, ring_ref=42) + ctrl(2, ring_ref=42, evtchn=7)
    + ctrl(3) + ctrl(3, ring_ref=1) + ctrl(3, evtchn=5) + ctrl(3, flags=2)
    + ctrl(4, flags=3) + ctrl(4, flags=4) + ctrl(4, evtchn=1)
    + ctrl(0) + ctrl(5) + ctrl(3, reserved=(0, 0, 1))
    + ctrl(1, evtchn=7, flags=3) + ctrl(2, ring_ref=42, evtchn=7, flags=1),
    # SOCK_SEQPACKET records: whole messages around the end of the data area, a short read,
    # one that does not fit, one never committed, then headers written by the peer: an
    # unknown flag, a length past what is readable.
    "records": ring(0, start=4090) + ring(1)
    + op(C_ATTACH) + op(P_RECORD) + length(100) + bytes([R_COMMIT | R_EOR])
    + op(C_READABLE) + op(C_RECORD) + length(10) + bytes([R_CONSUME])
    + op(P_RECORD) + length(4088) + bytes([R_COMMIT]) + op(C_READABLE)
    + op(C_RECORD) + hint() + bytes([R_CONSUME])
    + op(P_RECORD) + length(3000) + bytes([R_COMMIT]) + op(P_RECORD) + length(2000)
    + bytes([R_COMMIT]) + op(P_RECORD) + length(10) + bytes([R_BAD_FLAG])
    + op(P_RECORD) + length(50) + bytes([0]) + op(P_RECORD) + length(20) + bytes([R_COMMIT])
    + op(C_READABLE) + op(C_RECORD) + length(0) + bytes([R_CONSUME])
    + op(C_RECORD) + length(30) + bytes([R_CONSUME])
    + op(C_ATTACH, 1) + op(P_SEND, 1) + length(16)
    + op(PEER_DATA, 1) + struct.pack("<I", 0) + bytes([8]) + struct.pack("<II", 8, 2)
    + op(C_READABLE, 1) + op(C_RECORD, 1) + length(8) + bytes([R_CONSUME])
    + op(PEER_DATA, 1) + struct.pack("<I", 0) + bytes([8]) + struct.pack("<II", 9, 1)
    + op(C_RECORD, 1) + length(8) + bytes([R_CONSUME])
    + op(PEER_DATA, 1) + struct.pack("<I", 0) + bytes([8]) + struct.pack("<II", 8, 1)
    + op(C_RECORD, 1) + length(8) + bytes([R_CONSUME]),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
