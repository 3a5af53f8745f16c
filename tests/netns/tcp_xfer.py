"""TCP transfer helper for the namespace tests (python3 stdlib only).

  tcp_xfer.py recv ADDR PORT          accept one connection, read to EOF,
                                      print sha256=<hex> and bytes=<n>
  tcp_xfer.py send ADDR PORT SIZE     send SIZE random bytes, print the same
  tcp_xfer.py connect ADDR PORT SECS  exit 0 if a connection opens in time

The sender half-closes after the last byte and waits for the receiver to
close, so a zero exit means every byte reached the receiving socket.
"""

import hashlib
import os
import socket
import sys

CHUNK = 64 * 1024


def recv(addr, port):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(120)
    print("listening", flush=True)
    conn, peer = srv.accept()
    conn.settimeout(120)
    digest = hashlib.sha256()
    total = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        digest.update(data)
        total += len(data)
    conn.close()
    print(f"peer={peer[0]}")
    print(f"bytes={total}")
    print(f"sha256={digest.hexdigest()}", flush=True)


def send(addr, port, size):
    conn = socket.create_connection((addr, port), timeout=60)
    digest = hashlib.sha256()
    left = size
    while left > 0:
        data = os.urandom(min(CHUNK, left))
        conn.sendall(data)
        digest.update(data)
        left -= len(data)
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(CHUNK):
        pass
    conn.close()
    print(f"bytes={size}")
    print(f"sha256={digest.hexdigest()}", flush=True)


def connect(addr, port, secs):
    try:
        socket.create_connection((addr, port), timeout=secs).close()
    except OSError as e:
        print(f"connect failed: {e}")
        sys.exit(1)
    print("connected")


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "recv":
        recv(addr, port)
    elif mode == "send":
        send(addr, port, int(sys.argv[4]))
    elif mode == "connect":
        connect(addr, port, float(sys.argv[4]))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
