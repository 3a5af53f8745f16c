#!/usr/bin/env python3
"""The paper's topology with real traffic: H1 - R1 - R2 - H2.

  python3 tests/netns/lab.py [--mb N] [--plain] [--keep]

Builds four namespaces (per-run names) joined by three veth links,
  h1-r1 fd00:1::/64   r1-r2 fd00:12::/64   r2-h2 fd00:2::/64
starts scout6 on H1 and H2 (R1 and R2 are plain Linux routers), sends a
ping each way and an N MB TCP transfer H1 -> H2, and reports what each
link carried (from a capture on it), the mode of the channel and the
discovery and handshake times from `scout6 status --json`. Everything is
removed at the end, also on Ctrl-C or failure.

--plain runs the same traffic without scout6, to show what "clear"
looks like in the report. Exit status 0 when the outcome is the expected
one: host-host, every link encrypted (or, with --plain, every link clear).
"""

import argparse
import json
import sys
import time

import s6lab
from s6lab import Lab, kinds, of_kind

CLEAR_KINDS = ("icmp6-echo", "tcp-payload", "tcp-empty", "udp-other")


def build(lab):
    h1 = lab.add_node("h1")
    r1 = lab.add_node("r1", router=True)
    r2 = lab.add_node("r2", router=True)
    h2 = lab.add_node("h2")
    lab.link(h1, r1, "fd00:1::/64", 0x10, 0x1)
    lab.link(r1, r2, "fd00:12::/64", 0x1, 0x2)
    lab.link(r2, h2, "fd00:2::/64", 0x1, 0x20)
    lab.route(h1, "default", r1)
    lab.route(h2, "default", r2)
    lab.route(r1, "fd00:2::/64", r2)
    lab.route(r2, "fd00:1::/64", r1)
    lab.settle()
    return h1, r1, r2, h2


def segment_verdict(packets):
    clear = sum(len(of_kind(packets, k)) for k in CLEAR_KINDS)
    esp = len(of_kind(packets, "esp-udp", "esp"))
    if clear and esp:
        return "MIXED"
    if clear:
        return "clear"
    if esp:
        return "encrypted"
    return "no flow traffic"


def print_wire_times(packets):
    """Discovery and handshake times as seen on H1's link."""
    def first(kind):
        found = of_kind(packets, kind)
        return found[0].ts if found else None
    doq, dor, ike, esp = (first(k) for k in ("doq", "dor", "ike", "esp-udp"))
    if None not in (doq, dor):
        print(f"         on the wire: DOq -> DOr {(dor - doq) * 1e6:.0f} us",
              end="")
        if None not in (ike, esp):
            print(f", first IKE -> first ESP {(esp - ike) * 1e3:.1f} ms",
                  end="")
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=10,
                    help="size of the TCP transfer in MB (default 10)")
    ap.add_argument("--plain", action="store_true",
                    help="run without scout6 (everything in the clear)")
    ap.add_argument("--keep", action="store_true",
                    help="keep configs, logs and captures")
    args = ap.parse_args()
    if not args.plain:
        s6lab.require_scout6()
    reaped = s6lab.reap_stale_namespaces()
    if reaped:
        print(f"removed {len(reaped)} stale namespaces of dead runs")

    ok = True
    with Lab("lab", keep=args.keep or None) as lab:
        print("building H1 - R1 - R2 - H2 ...")
        h1, r1, r2, h2 = build(lab)
        for n in (h1, r1, r2, h2):
            print(f"  {n.name:3} netns {n.ns}  "
                  f"{', '.join(sorted(set(n.addrs.values())))}")
        caps = [("H1-R1", lab.capture(r1, h1)),
                ("R1-R2", lab.capture(r1, r2)),
                ("R2-H2", lab.capture(r2, h2))]
        daemons = {}
        if not args.plain:
            for node, protect in ((h2, "fd00:1::/64"), (h1, "fd00:2::/64")):
                conf = lab.scout6_config(node, [node.addr()], [protect])
                daemons[node.name] = lab.start_scout6(node, conf)
            print("scout6 running on H1 and H2; R1, R2 plain routers")

        t0 = time.monotonic()
        sent, got = lab.ping(h1, h2.addr(), count=5, wait=2)
        print(f"ping H1 -> H2: {got}/{sent} replies "
              f"({time.monotonic() - t0:.1f}s, first one waits for "
              "discovery and IKE)")
        ok &= got > 0
        sent, got = lab.ping(h2, h1.addr(), count=3, wait=2, interval=0.2)
        print(f"ping H2 -> H1: {got}/{sent} replies")
        ok &= got == sent
        size = args.mb * 1000 * 1000
        a, b, secs = lab.tcp_transfer(h1, h2, h2.addr(), size)
        same = a == b
        print(f"TCP H1 -> H2: {args.mb} MB in {secs:.2f}s "
              f"({size * 8 / secs / 1e6:.0f} Mbit/s), sha256 "
              f"{'identical' if same else 'DIFFERENT'}")
        ok &= same

        for name, proc in daemons.items():
            status = lab.scout6_status(proc.node, proc)
            chans = status.get("channels", [])
            if not chans:
                print(f"{name}: no channel in status")
                ok = False
            for c in chans:
                print(f"{name}: channel {c.get('local')} = {c.get('peer')} "
                      f"mode {c.get('mode')}, "
                      f"{'initiator' if c.get('initiator') else 'responder'}"
                      f", discovery {c.get('discovery_time_us', 0) / 1000:.3f} ms, "
                      f"handshake {c.get('setup_time_us', 0) / 1000:.3f} ms, "
                      f"packets out/in {c.get('packets_out')}/"
                      f"{c.get('packets_in')}")
                ok &= c.get("mode") == "host-host"
            if args.keep:
                print(json.dumps(status, indent=1))

        print("what each link carried:")
        want = "clear" if args.plain else "encrypted"
        for name, cap in caps:
            packets = cap.stop()
            verdict = segment_verdict(packets)
            print(f"  {name}: {verdict:10} {kinds(packets)}")
            ok &= verdict == want
            if name == "H1-R1" and not args.plain:
                print_wire_times(packets)
        mode = "none (plain)" if args.plain else "host-host"
        print(f"expected: mode {mode}, every link {want}: "
              f"{'as expected' if ok else 'NOT as expected'}")
        lab.failed = not ok
    print("lab removed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
