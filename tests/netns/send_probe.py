"""Send one SCOUT6 message from this namespace, built by the kernel.

  send_probe.py doq|dor|raq DST [QUERIED]

A raw IPv6 socket of protocol 59 (no next header) with the IPV6_DSTOPTS or
IPV6_HOPOPTS socket option makes the kernel emit the exact SPEC §3 packet:
IPv6 header, one options header, nothing after it. The harness self-checks
use it to show that the capture classifier recognises real queries.
"""

import ipaddress
import socket
import struct
import sys

IPPROTO_NONE = 59


def options_header(body):
    """An options header (Next Header filled in by the kernel) with body."""
    hdr = bytes([0, (2 + len(body)) // 8 - 1]) + body
    if len(hdr) % 8:
        raise ValueError("options header must be a multiple of 8 bytes")
    return hdr


def main():
    kind, dst = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_NONE)
    if kind == "doq":
        # option 196, 4 data bytes: 8-byte header, 48-byte packet
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS,
                     options_header(bytes([196, 4, 0, 0, 0, 0])))
    elif kind == "dor":
        queried = ipaddress.IPv6Address(sys.argv[3] if len(sys.argv) > 3
                                        else dst).packed
        # option 66, capability mask IKEv2 (bit 1) + queried address
        body = bytes([66, 20]) + struct.pack("!I", 0x2) + queried
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS,
                     options_header(body))
    elif kind == "raq":
        # router alert value 42, then PadN of length 0
        body = bytes([5, 2]) + struct.pack("!H", 42) + bytes([1, 0])
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS,
                     options_header(body))
    else:
        sys.exit(f"unknown kind {kind}")
    s.sendto(b"", (dst, 0))
    print(f"sent {kind} to {dst}")


if __name__ == "__main__":
    main()
