#!/usr/bin/env python3
"""Writes an "element-segment bomb": a module of N one-element passive element
segments (4 bytes each in the binary), which an engine that stores segments per
instance or per item generously amplifies into gigabytes (issue 14 item 8).

    gen_elem_bomb.py OUT.wasm [N]     (N defaults to 10,000,000: a 40 MB module)

The module exports "run" (() -> i32): it puts segment N-1's function into a
one-element table with table.init, drops segment 0, and calls through the
table, returning 42.
"""
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def section(sid, body):
    return bytes([sid]) + leb(len(body)) + body


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    types = section(1, leb(1) + b"\x60\x00\x01\x7f")            # () -> i32
    funcs = section(3, leb(2) + b"\x00\x00")                    # two functions of type 0
    table = section(4, leb(1) + b"\x70\x00\x01")                # funcref, min 1
    exports = section(7, leb(1) + leb(3) + b"run" + b"\x00" + leb(0))
    seg = b"\x01\x00\x01" + leb(1)                              # passive, elemkind, 1 item: func 1
    elems = section(9, leb(n) + seg * n)
    datacount = b""
    # run: table.init seg n-1 (dst 0, src 0, len 1); elem.drop 0; call_indirect 0 via slot 0
    body = (b"\x00"
            + b"\x41\x00\x41\x00\x41\x01" + b"\xfc\x0c" + leb(n - 1) + b"\x00"
            + b"\xfc\x0d" + leb(0)
            + b"\x41\x00" + b"\x11\x00\x00"
            + b"\x0b")
    f1 = b"\x00\x41\x2a\x0b"                                    # i32.const 42
    code = section(10, leb(2) + leb(len(body)) + body + leb(len(f1)) + f1)
    with open(out, "wb") as f:
        f.write(b"\x00asm\x01\x00\x00\x00" + types + funcs + table + exports + elems
                + datacount + code)


if __name__ == "__main__":
    main()
