#!/usr/bin/env python3
"""scout6 against strongSwan (run as root): python3 interop/test_interop.py

Topology h1 - r - h2 as in tests/netns. strongSwan's charon (userspace
ESP via kernel-libipsec) runs on h2 as an ordinary IKEv2 responder: PSK,
identities = the IPv6 addresses, AES-256-GCM, host-to-host tunnel with
dynamic traffic selectors, ESP in UDP on port 4500.

First charon talks to a second charon on h1, with no scout6 involved, so
that a failure in the scout6 test points at scout6, not at the lab or the
strongSwan setup. Then scout6 on h1, with h2 as a known IKE peer, must
build the same channel.

Options: -k SUBSTRING, --list. Environment as for tests/netns.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "netns"))

import s6lab  # noqa: E402
from s6lab import Lab, check, log, kinds, of_kind  # noqa: E402
from charon import Charon  # noqa: E402
from test_netns import three_nodes, assert_only, NET_B  # noqa: E402

ENCRYPTED_OK = {"ike", "esp-udp", "natt-keepalive", "icmp6-nd",
                "icmp6-other"}


def check_charon_sas(charon, who):
    ike, child, mode = charon.sa_state()
    check(ike and child, f"{who}: IKE SA established={ike}, CHILD_SA "
          f"installed={child}:\n{charon.list_sas()}")
    check(mode == "TUNNEL-in-UDP", f"{who}: CHILD_SA mode {mode}")
    log(f"{who}: IKE SA ESTABLISHED, CHILD_SA INSTALLED, {mode}")


def check_capture(packets, where):
    log(f"{where} capture: {kinds(packets)}")
    check(of_kind(packets, "ike"), f"{where}: no IKE seen")
    check(len(of_kind(packets, "esp-udp")) >= 6,
          f"{where}: fewer ESP-in-UDP packets than pings: {kinds(packets)}")
    assert_only(packets, ENCRYPTED_OK, where)


def test_strongswan_alone_charon_to_charon():
    with Lab("sswan") as lab:
        h1, r, h2 = three_nodes(lab)
        psk = s6lab.lab_psk(lab)
        resp = Charon(lab, h2, h2.addr(), h1.addr(), True, psk).start()
        init = Charon(lab, h1, h1.addr(), h2.addr(), False, psk).start()
        cap = lab.capture(r, h2)
        r_init = init.initiate()
        check(r_init.returncode == 0, "swanctl --initiate failed:\n"
              f"{r_init.stdout}{r_init.stderr}")
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h1->h2 through charon<->charon: {got}/{sent}")
        check_charon_sas(resp, "h2 (responder)")
        check_capture(cap.stop(), "r-h2")


def test_scout6_initiates_to_strongswan_responder():
    s6lab.require_scout6()
    with Lab("sswan6") as lab:
        h1, r, h2 = three_nodes(lab)
        psk = s6lab.lab_psk(lab)
        resp = Charon(lab, h2, h2.addr(), h1.addr(), True, psk).start()
        cap = lab.capture(r, h2)
        d1 = lab.start_scout6(h1, lab.scout6_config(
            h1, [h1.addr()], [NET_B], psk=psk, known_peers=[h2.addr()]))
        t0 = time.monotonic()
        sent, got = lab.ping(h1, h2.addr(), count=5, wait=2)
        log(f"first ping h1->h2 (IKE with charon): {got}/{sent} in "
            f"{time.monotonic() - t0:.1f}s")
        check(got >= 1, f"first ping h1->h2: {got}/{sent}")
        sent, got = lab.ping(h1, h2.addr(), count=3, wait=2, interval=0.2)
        check(got == 3, f"ping h1->h2 through scout6<->charon: {got}/{sent}")
        check_charon_sas(resp, "h2 charon")
        status = lab.scout6_status(h1, d1)
        log("h1 status: " + json.dumps(status)[:600])
        check(s6lab.channels_to(status, h2.addr()),
              f"h1 status shows no channel to {h2.addr()}")
        check_capture(cap.stop(), "r-h2")


TESTS = [
    test_strongswan_alone_charon_to_charon,
    test_scout6_initiates_to_strongswan_responder,
]

if __name__ == "__main__":
    sys.exit(s6lab.run_tests(TESTS))
