#!/usr/bin/env python3
"""Namespace tests for scout6 (run as root): python3 tests/netns/test_netns.py

Topology for every test: h1 - r - h2, r a plain Linux router.
  link h1-r: fd00:a::/64  (h1 ::10, r ::1)
  link r-h2: fd00:b::/64  (r ::1, h2 ::20)

The harness_* tests need no scout6: they prove that the lab routes, that
the TCP helper checks data end to end, and that the capture classifier
recognises cleartext traffic and real SCOUT6 messages, so that the scout6
tests' "nothing in the clear" assertions are able to fail.

Options: -k SUBSTRING selects tests (repeatable), --list lists them.
Environment: SCOUT6_BIN (daemon), SCOUT6_BUILD_DIR (default build),
SCOUT6_KEEP=1 keeps lab files, SCOUT6_RESULTS=FILE writes a JSON summary.
"""

import json
import re
import signal
import sys
import time

import lab as four
import s6lab
from s6lab import Lab, check, log, of_kind, kinds, first_index

NET_A = "fd00:a::/64"
NET_B = "fd00:b::/64"
XFER_BYTES = 10 * 1000 * 1000

# What may cross a link while a protected flow is in progress: SCOUT6 and
# IKE control messages, ESP, and the network's own housekeeping (neighbour
# discovery, MLD). Everything else is the flow in the clear.
ENCRYPTED_OK = {"doq", "dor", "raq", "ike", "esp-udp", "natt-keepalive",
                "icmp6-nd", "icmp6-other"}
# With nobody able to secure the flow, only queries and errors may show.
UNSECURED_OK = {"doq", "raq", "icmp6-error", "icmp6-nd", "icmp6-other"}


def three_nodes(lab):
    h1 = lab.add_node("h1")
    r = lab.add_node("r", router=True)
    h2 = lab.add_node("h2")
    lab.link(h1, r, NET_A, 0x10, 0x1)
    lab.link(r, h2, NET_B, 0x1, 0x20)
    lab.route(h1, NET_B, r)
    lab.route(h2, NET_A, r)
    lab.settle()
    return h1, r, h2


def assert_only(packets, allowed, where):
    bad = [p for p in packets if p.kind not in allowed]
    check(not bad, f"{where}: {len(bad)} packets outside {sorted(allowed)}; "
          f"kinds {kinds(packets)}; first: {bad[:5]}")


# --------------------------------------------------------------------------
# Harness self-checks (no scout6)


def test_harness_plain_traffic_is_seen_in_clear():
    with Lab("plain") as lab:
        h1, r, h2 = three_nodes(lab)
        cap = lab.capture(r, h2)
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h1->h2 without scout6: {got}/{sent}")
        sent, got = lab.ping(h2, h1.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h2->h1 without scout6: {got}/{sent}")
        a, b, secs = lab.tcp_transfer(h1, h2, h2.addr(), 1000 * 1000)
        check(a == b, f"1 MB plain transfer digests differ: {a} {b}")
        log(f"1 MB plain TCP in {secs:.2f}s, sha256 {a[:16]}...")
        packets = cap.stop()
        log(f"r-h2 capture: {kinds(packets)}")
        check(len(of_kind(packets, "icmp6-echo")) == 12,
              f"expected 12 cleartext echo packets, got {kinds(packets)}")
        check(len(of_kind(packets, "tcp-payload")) > 0,
              f"no cleartext TCP payload seen: {kinds(packets)}")
        # The check used by the scout6 tests must reject this capture.
        try:
            assert_only(packets, ENCRYPTED_OK, "plain")
        except s6lab.TestFailure:
            pass
        else:
            raise s6lab.TestFailure("assert_only accepted cleartext")


def test_harness_classifies_kernel_built_scout6_messages():
    with Lab("probe") as lab:
        h1, r, h2 = three_nodes(lab)
        cap_b = lab.capture(r, h2)
        cap_a = lab.capture(r, h1)
        probe = s6lab.NETNS_DIR + "/send_probe.py"
        for kind in ("doq", "dor", "raq"):
            lab.run(h1, [s6lab.PYTHON, probe, kind, h2.addr()])
        time.sleep(0.5)
        b = cap_b.stop()
        a = cap_a.stop()
        log(f"r-h2: {kinds(b)}; h1-r: {kinds(a)}")
        for kind, size in (("doq", 48), ("dor", 64), ("raq", 48)):
            got = of_kind(b, kind)
            check(len(got) == 1 and got[0].length == size,
                  f"r-h2: expected one {size}-byte {kind}, got {got}")
        dor = of_kind(b, "dor")[0]
        check(dor.info.get("mask") == 2 and
              dor.info.get("queried") == h2.addr(),
              f"DOr fields misread: {dor.info}")
        check(of_kind(b, "raq")[0].info.get("ra") == 42,
              f"RAq value misread: {of_kind(b, 'raq')}")
        # SPEC §8: a node without SCOUT6 answers the DOq (only) with
        # Parameter Problem code 2 pointing at the option type (42).
        errs = of_kind(a, "icmp6-error")
        check(len(errs) == 1 and errs[0].info.get("type") == 4 and
              errs[0].info.get("code") == 2 and
              errs[0].info.get("pointer") == 42 and
              errs[0].src == h2.addr(),
              f"expected one Parameter Problem code 2 ptr 42, got {errs}")


# --------------------------------------------------------------------------
# scout6 tests


def test_a_host_host_channel_carries_everything_encrypted():
    s6lab.require_scout6()
    with Lab("hh") as lab:
        h1, r, h2 = three_nodes(lab)
        cap_b = lab.capture(r, h2)
        cap_a = lab.capture(r, h1)
        d2 = lab.start_scout6(h2, lab.scout6_config(h2, [h2.addr()],
                                                    [NET_A]))
        d1 = lab.start_scout6(h1, lab.scout6_config(h1, [h1.addr()],
                                                    [NET_B]))
        t0 = time.monotonic()
        sent, got = lab.ping(h1, h2.addr(), count=5, wait=2)
        log(f"first ping h1->h2 (discovery + IKE): {got}/{sent} "
            f"in {time.monotonic() - t0:.1f}s")
        check(got >= 1, f"first ping h1->h2: {got}/{sent} replies")
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h1->h2 over the channel: {got}/{sent}")
        sent, got = lab.ping(h2, h1.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h2->h1 over the channel: {got}/{sent}")
        a, b, secs = lab.tcp_transfer(h1, h2, h2.addr(), XFER_BYTES)
        check(a == b, f"10 MB transfer h1->h2: sent sha256 {a}, "
              f"received {b}")
        log(f"10 MB TCP h1->h2 in {secs:.2f}s "
            f"({XFER_BYTES * 8 / secs / 1e6:.0f} Mbit/s), sha256 equal")
        status = lab.scout6_status(h1, d1)
        log("h1 status: " + json.dumps(status)[:600])
        check(s6lab.channels_to(status, h2.addr()),
              f"h1 status shows no channel to {h2.addr()}:\n"
              f"{json.dumps(status, indent=1)}")
        check(d1.running() and d2.running(), "a daemon exited mid-test")
        b_pk = cap_b.stop()
        a_pk = cap_a.stop()
        log(f"r-h2 capture: {kinds(b_pk)}")
        log(f"h1-r capture: {kinds(a_pk)}")
        doq, dor = of_kind(b_pk, "doq"), of_kind(b_pk, "dor")
        check(len(doq) == 1 and doq[0].length == 48 and
              doq[0].src == h1.addr() and doq[0].dst == h2.addr(),
              f"r-h2: expected one 48-byte DOq h1->h2, got {doq}")
        check(len(dor) == 1 and dor[0].length == 64 and
              dor[0].src == h2.addr() and dor[0].dst == h1.addr() and
              dor[0].info.get("queried") == h2.addr(),
              f"r-h2: expected one 64-byte DOr h2->h1, got {dor}")
        i_doq, i_dor = first_index(b_pk, "doq"), first_index(b_pk, "dor")
        i_ike, i_esp = first_index(b_pk, "ike"), first_index(b_pk, "esp-udp")
        check(None not in (i_ike, i_esp) and i_doq < i_dor < i_ike < i_esp,
              f"r-h2 order DOq {i_doq} < DOr {i_dor} < IKE {i_ike} < "
              f"ESP {i_esp} does not hold")
        assert_only(b_pk, ENCRYPTED_OK, "r-h2")
        assert_only(a_pk, ENCRYPTED_OK, "h1-r")
        # Bytes, not packets: with UDP GSO the capture sees one packet per
        # batch of ESP datagrams, before the kernel cuts it up.
        esp = sum(p.length for p in of_kind(b_pk, "esp-udp"))
        check(esp >= XFER_BYTES,
              f"only {esp} bytes of ESP-in-UDP for a 10 MB transfer")


def test_b_flow_to_node_without_scout6_is_never_sent_in_clear():
    s6lab.require_scout6()
    with Lab("nod") as lab:
        h1, r, h2 = three_nodes(lab)
        # Baseline: without scout6 the flow works, so a failure below is
        # scout6 holding it back, not a broken lab.
        lab.tcp_listener(h2, "::", 5301)
        check(lab.tcp_connect(h1, h2.addr(), 5301),
              "baseline TCP connect h1->h2 failed without scout6")
        lab.tcp_listener(h2, "::", 5302)
        cap_b = lab.capture(r, h2)
        cap_a = lab.capture(r, h1)
        d1 = lab.start_scout6(h1, lab.scout6_config(h1, [h1.addr()],
                                                    [NET_B]))
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2)
        check(got == 0, f"ping h1->h2 got {got} replies with no scout6 on "
              "h2: the flow was not dropped")
        check(not lab.tcp_connect(h1, h2.addr(), 5302, timeout=5),
              "TCP connect h1->h2 succeeded with no scout6 on h2")
        time.sleep(1)
        status = lab.scout6_status(h1, d1)
        log("h1 status: " + json.dumps(status)[:600])
        n = s6lab.counter(status, "unsecurable_dropped")
        check(n > 0, "h1 status counts no unsecurable flow:\n"
              f"{json.dumps(status, indent=1)}")
        b_pk, a_pk = cap_b.stop(), cap_a.stop()
        log(f"r-h2 capture: {kinds(b_pk)}")
        log(f"h1-r capture: {kinds(a_pk)}")
        check(of_kind(b_pk, "doq"),
              "no DOq reached r-h2: discovery never ran")
        assert_only(b_pk, UNSECURED_OK, "r-h2")
        assert_only(a_pk, UNSECURED_OK, "h1-r")


def test_d_four_nodes_every_link_encrypted():
    """The lab's topology (scripts/lab.sh): H1 - R1 - R2 - H2."""
    s6lab.require_scout6()
    with Lab("four") as lab:
        h1, r1, r2, h2 = four.build(lab)
        caps = [("h1-r1", lab.capture(r1, h1)),
                ("r1-r2", lab.capture(r1, r2)),
                ("r2-h2", lab.capture(r2, h2))]
        lab.start_scout6(h2, lab.scout6_config(h2, [h2.addr()],
                                               ["fd00:1::/64"]))
        d1 = lab.start_scout6(h1, lab.scout6_config(h1, [h1.addr()],
                                                    ["fd00:2::/64"]))
        sent, got = lab.ping(h1, h2.addr(), count=5, wait=2)
        check(got >= 1, f"first ping h1->h2: {got}/{sent}")
        sent, got = lab.ping(h2, h1.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h2->h1: {got}/{sent}")
        a, b, _ = lab.tcp_transfer(h1, h2, h2.addr(), 2 * 1000 * 1000)
        check(a == b, "2 MB transfer h1->h2: digests differ")
        chans = s6lab.channels_to(lab.scout6_status(h1, d1), h2.addr())
        check(len(chans) == 1 and chans[0].get("mode") == "host-host",
              f"h1: expected one host-host channel to h2, got {chans}")
        log(f"discovery {chans[0].get('discovery_time_us')} us, handshake "
            f"{chans[0].get('setup_time_us')} us")
        for name, cap in caps:
            packets = cap.stop()
            log(f"{name}: {kinds(packets)}")
            check(four.segment_verdict(packets) == "encrypted",
                  f"{name}: {four.segment_verdict(packets)}")
            assert_only(packets, ENCRYPTED_OK, name)


def net_state(lab, node, tun):
    """What a daemon may change in a namespace, as comparable text."""
    def out(argv):
        return lab.run(node, argv).stdout.strip()
    links = sorted(line.split(":")[1].strip().split("@")[0]
                   for line in out(["ip", "-o", "link", "show"]).splitlines())
    return {
        "links": links,
        "tun": tun in links,
        "rules": out(["ip", "-6", "rule", "show"]),
        "routes": out(["ip", "-6", "route", "show", "table", "all"]),
        "nft": out(["nft", "list", "ruleset"]),
        "nft_tables": out(["nft", "list", "tables"]),
    }


def diff_state(a, b):
    return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


def test_c_sigterm_cleans_up_and_restart_after_sigkill_recovers():
    s6lab.require_scout6()
    with Lab("clean") as lab:
        h1, r, h2 = three_nodes(lab)
        tun = "s6-h1"
        base = net_state(lab, h1, tun)
        conf = lab.scout6_config(h1, [h1.addr()], [NET_B])
        lab.start_scout6(h2, lab.scout6_config(h2, [h2.addr()], [NET_A]))

        d1 = lab.start_scout6(h1, conf, name="scout6-h1-run1")
        lab.ping(h1, h2.addr(), count=3, wait=2)
        running = net_state(lab, h1, tun)
        check(running["tun"], f"no TUN {tun} while scout6 runs: "
              f"{running['links']}")
        check(running["rules"] != base["rules"] and
              running["nft"] != base["nft"],
              "scout6 running added no ip rule or no nft table")
        rc = d1.stop(signal.SIGTERM)
        check(rc == 0, f"scout6 exit code after SIGTERM: {rc}")
        after = net_state(lab, h1, tun)
        check(after == base, f"left behind after SIGTERM: "
              f"{diff_state(base, after)}")

        d1 = lab.start_scout6(h1, conf, name="scout6-h1-run2")
        lab.ping(h1, h2.addr(), count=3, wait=2)
        d1.stop(signal.SIGKILL)
        left = diff_state(base, net_state(lab, h1, tun))
        log(f"left behind by SIGKILL: {sorted(left)}")

        # Fail closed: with the daemon dead and its TUN gone, what it left
        # (rule and unreachable routes) keeps the protected flows from
        # falling through to the main table in the clear.
        cap = lab.capture(r, h1, name="cap-after-sigkill")
        res = lab.run(h1, ["ping", "-6", "-n", "-c", "2", "-W", "1",
                           h2.addr()], check_rc=False)
        pk = cap.stop()
        log(f"h1-r after SIGKILL: {kinds(pk)}; ping: "
            f"{(res.stdout + res.stderr).strip().splitlines()[-1:]}")
        check(res.returncode != 0,
              f"ping succeeded with scout6 killed:\n{res.stdout}")
        check(re.search(r", [1-9]\d* received", res.stdout) is None,
              f"ping got replies with scout6 killed:\n{res.stdout}")
        check(not of_kind(pk, "icmp6-echo"),
              f"echo in the clear after SIGKILL: {of_kind(pk, 'icmp6-echo')}")

        d1 = lab.start_scout6(h1, conf, name="scout6-h1-run3")
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2)
        check(got > 0, f"ping after restart over leftovers: {got}/{sent}")
        again = net_state(lab, h1, tun)
        for key in ("links", "rules", "nft_tables"):
            check(again[key] == running[key],
                  f"restart after SIGKILL: {key} differ from a clean "
                  f"start:\nclean:\n{running[key]}\nnow:\n{again[key]}")
        rc = d1.stop(signal.SIGTERM)
        check(rc == 0, f"exit code after SIGTERM (run 3): {rc}")
        after = net_state(lab, h1, tun)
        check(after == base, f"left behind after SIGTERM (run 3): "
              f"{diff_state(base, after)}")


def test_e_second_instance_refused_without_touching_the_first():
    """A second daemon in the same namespace (same name, or another name
    on the same route table) must fail before it removes anything: the
    first keeps its rule, routes and firewall, and its flows stay
    encrypted."""
    s6lab.require_scout6()
    with Lab("twice") as lab:
        h1, r, h2 = three_nodes(lab)
        conf = lab.scout6_config(h1, [h1.addr()], [NET_B])
        lab.start_scout6(h2, lab.scout6_config(h2, [h2.addr()], [NET_A]))
        d1 = lab.start_scout6(h1, conf, name="scout6-h1-first")
        lab.ping(h1, h2.addr(), count=2, wait=2)
        running = net_state(lab, h1, "s6-h1")

        binary = s6lab.require_scout6()
        second = lab.run(h1, [binary, "run", "--config", conf[0]],
                         check_rc=False, timeout=20)
        log(f"second instance: rc {second.returncode}: "
            f"{second.stderr.strip().splitlines()[-1:]}")
        check(second.returncode != 0, "a second instance started")
        check(net_state(lab, h1, "s6-h1") == running,
              "the second instance changed the first one's state: "
              f"{diff_state(running, net_state(lab, h1, 's6-h1'))}")

        cap = lab.capture(r, h2)
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2)
        pk = cap.stop()
        check(got == sent, f"first instance stopped carrying: {got}/{sent}")
        assert_only(pk, ENCRYPTED_OK, "r-h2")
        check(d1.running(), "the first instance died")


TESTS = [
    test_harness_plain_traffic_is_seen_in_clear,
    test_harness_classifies_kernel_built_scout6_messages,
    test_a_host_host_channel_carries_everything_encrypted,
    test_b_flow_to_node_without_scout6_is_never_sent_in_clear,
    test_c_sigterm_cleans_up_and_restart_after_sigkill_recovers,
    test_d_four_nodes_every_link_encrypted,
    test_e_second_instance_refused_without_touching_the_first,
]

if __name__ == "__main__":
    sys.exit(s6lab.run_tests(TESTS))
