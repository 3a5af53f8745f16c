#!/usr/bin/env python3
"""Throughput, RTT and daemon CPU of scout6 against its performance peers.

Runs as root on Linux. Builds two pairs of network namespaces joined by
veth (fd00::/8 addresses only, names unique to this run) and measures, in
one run, with the order of the systems rotated every round:

  veth       plain veth, no tunnel: the ceiling of this machine
  scout6     scout6 on both ends, host-host channel, TUN MTU as configured
  strongswan strongSwan charon + kernel-libipsec, ESP AES-256-GCM in UDP
  wg-go      wireguard-go (userspace WireGuard over a TUN)

For each: iperf3 single-stream TCP throughput, ping RTT, and the CPU
seconds the tunnel daemons of both ends spent per GB carried (utime +
stime from /proc/PID/stat before and after the iperf3 run).

veth, scout6 and wireguard-go share one namespace pair; strongSwan gets
its own, because charon and scout6 both bind UDP 500 and 4500.

Everything this script creates (namespaces, processes, files, wireguard
control sockets) is removed on any exit; it stops only the processes it
started, by PID. A system that cannot be set up fails the run: nothing is
skipped silently. Use --only to measure fewer systems on purpose.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

SYSTEMS = ("veth", "scout6", "strongswan", "wg-go")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHARON = "/usr/lib/ipsec/charon"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PSK = "bench-only-psk-" + os.urandom(12).hex()

# Addresses. Pair A (veth, scout6, wireguard-go):
VETH_A = ("fd00:40::1", "fd00:40::2")  # plain veth target
SCOUT = ("fd00:41::1", "fd00:41::2")   # scout6 hosts, also on the veth
WG_IN = ("fd00:43::1", "fd00:43::2")   # inside wireguard
WG_PORT = 51820
# Pair B (strongSwan):
VETH_B = ("fd00:50::1", "fd00:50::2")  # IKE and ESP-in-UDP
SS_IN = ("fd00:52::1", "fd00:52::2")   # inner traffic selectors, on lo


class BenchError(Exception):
    """A setup or measurement step failed; the run stops."""


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(argv, check=True, timeout=60, env=None, capture=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None,
                       text=True, timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited {r.returncode}:\n"
                         f"{r.stdout or ''}{r.stderr or ''}")
    return r


def in_ns(ns, argv):
    return ["ip", "netns", "exec", ns] + list(argv)


def cpu_ticks(pid):
    """utime + stime of one process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return int(fields[11]) + int(fields[12])


def host_cpu():
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    total = sum(v[:8])  # without guest time, which user already counts
    return total - idle, total


def wait_until(pred, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    raise BenchError(f"timed out after {seconds} s waiting for {what}")


class Bench:
    def __init__(self, args):
        self.args = args
        tag = f"{os.getpid() % 0xffff:04x}{os.urandom(1).hex()}"
        self.tag = tag
        self.ns = {k: f"s6b{tag}{k}" for k in ("a1", "a2", "b1", "b2")}
        self.veth = {k: f"v{tag}{k}" for k in ("a1", "a2", "b1", "b2")}
        self.wg_if = (f"wg{tag}1", f"wg{tag}2")
        self.s6_name = (f"b{tag}1", f"b{tag}2")
        self.procs = []          # (name, Popen) we started
        self.made_ns = []
        self.wg_started = False
        self.dir = tempfile.mkdtemp(prefix="s6b", dir="/tmp")
        os.chmod(self.dir, 0o700)
        self.daemons = {}        # system -> [pid on ns1, pid on ns2]

    # -- lifecycle ------------------------------------------------------

    def spawn(self, name, argv, env=None):
        logf = open(os.path.join(self.dir, f"{name}.log"), "w")
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
        logf.close()
        self.procs.append((name, p))
        return p

    def log_tail(self, name, lines=30):
        try:
            with open(os.path.join(self.dir, f"{name}.log")) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def cleanup(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 5
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {p.pid}) ignored SIGTERM; killing it")
                p.kill()
                p.wait()
        for ns in reversed(self.made_ns):
            sh(["ip", "netns", "del", ns], check=False)
        if self.wg_started:
            for i in self.wg_if:
                try:
                    os.unlink(f"/var/run/wireguard/{i}.sock")
                except FileNotFoundError:
                    pass
        if self.args.keep_logs:
            os.makedirs(self.args.keep_logs, exist_ok=True)
            for f in os.listdir(self.dir):
                if f.endswith(".log"):
                    shutil.copy(os.path.join(self.dir, f),
                                self.args.keep_logs)
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- topology -------------------------------------------------------

    def make_pair(self, n1, n2, v1, v2, a1, a2):
        for ns in (n1, n2):
            if os.path.exists(f"/var/run/netns/{ns}"):
                raise BenchError(f"namespace {ns} already exists")
            sh(["ip", "netns", "add", ns])
            self.made_ns.append(ns)
            # DAD off before any interface exists: no tentative addresses.
            sh(in_ns(ns, ["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                          "net.ipv6.conf.default.accept_dad=0"]))
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])
        sh(["ip", "link", "add", v1, "netns", n1, "type", "veth", "peer",
            "name", v2, "netns", n2])
        for ns, dev, a in ((n1, v1, a1), (n2, v2, a2)):
            sh(["ip", "-n", ns, "addr", "add", f"{a}/64", "dev", dev,
                "nodad"])
            sh(["ip", "-n", ns, "link", "set", dev, "up"])
        self.ping_ok(n1, a2, "veth " + a2)

    def ping_ok(self, ns, dst, what, src=None, tries=60):
        argv = ["ping", "-6", "-q", "-c", "1", "-W", "1", dst]
        if src:
            argv[1:1] = ["-I", src]
        for _ in range(tries):
            if sh(in_ns(ns, argv), check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise BenchError(f"no ping reply through {what}")

    def setup_topology(self):
        log(f"namespaces {', '.join(self.ns.values())}")
        n = self.ns
        self.make_pair(n["a1"], n["a2"], self.veth["a1"], self.veth["a2"],
                       *VETH_A)
        self.make_pair(n["b1"], n["b2"], self.veth["b1"], self.veth["b2"],
                       *VETH_B)
        for ns in (n["a2"], n["b2"]):
            self.spawn(f"iperf3-{ns}", in_ns(ns, ["iperf3", "-s"]))
        time.sleep(0.3)

    # -- scout6 ---------------------------------------------------------

    def scout6_config(self, i):
        me, peer = SCOUT[i], SCOUT[1 - i]
        sock = os.path.join(self.dir, f"s6-{i + 1}.sock")
        text = "\n".join([
            "[node]",
            f'name = "{self.s6_name[i]}"',
            f'addresses = ["{me}"]',
            'log_level = "warn"',
            f'control_socket = "{sock}"',
            "[scope]",
            f'protect = ["{peer}"]',
            'modes = ["host-host"]',
            "[ike]",
            f'psk = "{PSK}"',
            "[discovery]",
            "raq = false",
            "[dataplane]",
            f"tun_mtu = {self.args.scout6_mtu}",
            "",
        ])
        path = os.path.join(self.dir, f"scout6-{i + 1}.toml")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path, sock

    def setup_scout6(self):
        binary = self.args.scout6
        if not os.access(binary, os.X_OK):
            raise BenchError(f"scout6 binary {binary} not found; build it "
                             "(scripts/build.sh) or pass --scout6")
        log(f"scout6 ({binary})")
        pids = []
        for i, (ns, dev) in enumerate(((self.ns["a1"], self.veth["a1"]),
                                       (self.ns["a2"], self.veth["a2"]))):
            sh(["ip", "-n", ns, "addr", "add", f"{SCOUT[i]}/64", "dev", dev,
                "nodad"])
            path, sock = self.scout6_config(i)
            sh([binary, "check-config", path])
            name = f"scout6-{i + 1}"
            p = self.spawn(name, in_ns(ns, [binary, "run", "--config", path]))
            status = [binary, "status", "--json", "--socket", sock]

            def ready():
                if p.poll() is not None:
                    raise BenchError(f"scout6 on {ns} exited {p.returncode}:"
                                     f"\n{self.log_tail(name)}")
                return sh(status, check=False).returncode == 0
            wait_until(ready, 20, f"scout6 on {ns} to answer status")
            pids.append(p.pid)
        # The first packets are held during discovery and IKE.
        self.ping_ok(self.ns["a1"], SCOUT[1], "scout6", src=SCOUT[0])
        st = json.loads(sh([binary, "status", "--json", "--socket",
                            os.path.join(self.dir, "s6-1.sock")]).stdout)
        if not st.get("channels"):
            raise BenchError("scout6 answers ping but shows no channel: "
                             "traffic is not going through it")
        self.daemons["scout6"] = pids

    # -- strongSwan -----------------------------------------------------

    def charon_files(self, i):
        d = os.path.join(self.dir, f"ss{i + 1}")
        os.makedirs(d, mode=0o700)
        conf = os.path.join(d, "strongswan.conf")
        vici = f"unix://{d}/vici"
        # kernel-libipsec must be loaded before kernel-netlink, or netlink
        # claims the IPsec backend and every CHILD_SA fails on a kernel
        # without ESP (see /work/shared/peers/strongswan/README.md).
        plugins = ("random nonce openssl curve25519 gcm aes sha1 sha2 hmac "
                   "kdf pem pkcs1 pubkey x509 kernel-libipsec kernel-netlink "
                   "socket-default vici")
        with open(conf, "w") as f:
            f.write(f"""charon {{
  load = {plugins}
  filelog {{
    bench {{
      path = {d}/charon.log
      default = 1
    }}
  }}
  syslog {{
    daemon {{
      default = -1
    }}
  }}
  plugins {{
    vici {{
      socket = {vici}
    }}
  }}
}}
swanctl {{
  socket = {vici}
}}
""")
        me, peer = VETH_B[i], VETH_B[1 - i]
        swanctl = os.path.join(d, "swanctl.conf")
        fd = os.open(swanctl, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"""connections {{
  bench {{
    version = 2
    local_addrs = {me}
    remote_addrs = {peer}
    proposals = aes256gcm16-prfsha256-x25519
    mobike = no
    local {{
      auth = psk
      id = {me}
    }}
    remote {{
      auth = psk
      id = {peer}
    }}
    children {{
      gcm {{
        local_ts = {SS_IN[i]}/128
        remote_ts = {SS_IN[1 - i]}/128
        esp_proposals = aes256gcm16
        mode = tunnel
      }}
    }}
  }}
}}
secrets {{
  ike-bench {{
    id-1 = {me}
    id-2 = {peer}
    secret = "{PSK}"
  }}
}}
""")
        return conf, swanctl

    def setup_strongswan(self):
        if not os.access(CHARON, os.X_OK):
            raise BenchError(f"{CHARON} missing (strongswan-charon)")
        log("strongSwan charon + kernel-libipsec, one per namespace")
        pids = []
        confs = []
        for i, ns in enumerate((self.ns["b1"], self.ns["b2"])):
            sh(["ip", "-n", ns, "addr", "add", f"{SS_IN[i]}/128", "dev", "lo",
                "nodad"])
            conf, swanctl = self.charon_files(i)
            confs.append((conf, swanctl))
            # charon's pid file is fixed at /var/run/charon.pid: give each
            # one a private /run inside the mount namespace of its netns.
            p = self.spawn(f"charon-{i + 1}", in_ns(ns, [
                "sh", "-c", 'mount -t tmpfs -o size=4m tmpfs /run && '
                'exec env STRONGSWAN_CONF="$1" "$2"', "sh", conf, CHARON]))
            pids.append(p.pid)
        for i, (conf, swanctl) in enumerate(confs):
            env = dict(os.environ, STRONGSWAN_CONF=conf)

            def up():
                for name, p in self.procs:
                    if name.startswith("charon") and p.poll() is not None:
                        raise BenchError(f"{name} exited:\n" +
                                         self.log_tail(name))
                return sh(["swanctl", "--stats"], check=False, env=env,
                          timeout=10).returncode == 0
            wait_until(up, 20, f"charon {i + 1} vici socket")
            sh(["swanctl", "--load-all", "--file", swanctl], env=env)
        env = dict(os.environ, STRONGSWAN_CONF=confs[0][0])
        sh(["swanctl", "--initiate", "--ike", "bench", "--child", "gcm"],
           env=env, timeout=30)
        self.ping_ok(self.ns["b1"], SS_IN[1], "strongSwan")
        sas = sh(["swanctl", "--list-sas"], env=env).stdout
        if "AES_GCM_16-256" not in sas:
            raise BenchError(f"strongSwan SA is not AES-256-GCM:\n{sas}")
        self.daemons["strongswan"] = pids

    # -- wireguard-go ---------------------------------------------------

    def setup_wg(self):
        for tool in ("wireguard-go", "wg"):
            if not shutil.which(tool):
                raise BenchError(f"{tool} missing (Debian packages "
                                 "wireguard-go wireguard-tools)")
        log("wireguard-go")
        for i in self.wg_if:
            if os.path.exists(f"/var/run/wireguard/{i}.sock"):
                raise BenchError(f"/var/run/wireguard/{i}.sock exists")
        self.wg_started = True
        keys = []
        for i in range(2):
            priv = sh(["wg", "genkey"]).stdout.strip()
            pub = subprocess.run(["wg", "pubkey"], input=priv, text=True,
                                 capture_output=True, check=True).stdout
            path = os.path.join(self.dir, f"wg{i + 1}.key")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(priv + "\n")
            keys.append((path, pub.strip()))
        pids = []
        env = dict(os.environ, WG_PROCESS_FOREGROUND="1", LOG_LEVEL="error")
        for i, ns in enumerate((self.ns["a1"], self.ns["a2"])):
            p = self.spawn(f"wg-go-{i + 1}",
                           in_ns(ns, ["wireguard-go", "-f", self.wg_if[i]]),
                           env=env)
            pids.append(p.pid)
            sock = f"/var/run/wireguard/{self.wg_if[i]}.sock"
            wait_until(lambda: os.path.exists(sock), 10, sock)
        for i, ns in enumerate((self.ns["a1"], self.ns["a2"])):
            dev = self.wg_if[i]
            sh(in_ns(ns, ["wg", "set", dev, "private-key", keys[i][0],
                          "listen-port", str(WG_PORT), "peer", keys[1 - i][1],
                          "endpoint", f"[{VETH_A[1 - i]}]:{WG_PORT}",
                          "allowed-ips", f"{WG_IN[1 - i]}/128"]))
            sh(["ip", "-n", ns, "addr", "add", f"{WG_IN[i]}/64", "dev", dev,
                "nodad"])
            sh(["ip", "-n", ns, "link", "set", dev, "mtu", "1420", "up"])
        self.ping_ok(self.ns["a1"], WG_IN[1], "wireguard-go")
        self.daemons["wg-go"] = pids

    # -- measurement ----------------------------------------------------

    def target(self, system):
        """(client namespace, destination, bind source or None)."""
        return {
            "veth": (self.ns["a1"], VETH_A[1], None),
            "scout6": (self.ns["a1"], SCOUT[1], SCOUT[0]),
            "strongswan": (self.ns["b1"], SS_IN[1], None),
            "wg-go": (self.ns["a1"], WG_IN[1], None),
        }[system]

    def ping_rtt(self, system):
        ns, dst, src = self.target(system)
        argv = ["ping", "-6", "-q", "-c", str(self.args.pings), "-i", "0.02",
                dst]
        if src:
            argv[1:1] = ["-I", src]
        out = sh(in_ns(ns, argv), check=False, timeout=60).stdout
        m = re.search(r"= [\d.]+/([\d.]+)/", out)
        return float(m.group(1)) if m else None

    def one_run(self, system):
        ns, dst, src = self.target(system)
        pids = self.daemons.get(system, [])
        rtt = self.ping_rtt(system)
        t0 = [cpu_ticks(p) for p in pids]
        h0 = host_cpu()
        argv = ["iperf3", "-c", dst, "-t", str(self.args.duration), "-O",
                "1", "-J"]
        if src:
            argv += ["-B", src]
        r = sh(in_ns(ns, argv), check=False,
               timeout=self.args.duration + 60)
        t1 = [cpu_ticks(p) for p in pids]
        h1 = host_cpu()
        try:
            end = json.loads(r.stdout)["end"]
            bps = end["sum_received"]["bits_per_second"]
            # -O 1: the first second is omitted from the sums, but the
            # daemons' CPU covers it, so count bytes over the whole run.
            nbytes = sum(iv["sum"]["bytes"] for iv in
                         json.loads(r.stdout)["intervals"])
            retrans = end["sum_sent"].get("retransmits")
        except (ValueError, KeyError, TypeError):
            raise BenchError(f"iperf3 over {system} failed "
                             f"(exit {r.returncode}):\n{r.stdout[-2000:]}"
                             f"{r.stderr[-2000:]}")
        cpu = [(b - a) / CLK_TCK for a, b in zip(t0, t1)]
        gb = nbytes / 1e9
        return {
            "mbps": bps / 1e6,
            "rtt_ms": rtt,
            "bytes": nbytes,
            "retransmits": retrans,
            "cpu_s": cpu,
            "cpu_s_per_gb": (sum(cpu) / gb) if pids and gb else None,
            # Share of all CPUs busy during the run (ours and others').
            "host_busy": (h1[0] - h0[0]) / max(1, h1[1] - h0[1]),
        }

    def measure(self, systems):
        results = {s: [] for s in systems}
        for r in range(self.args.rounds):
            order = systems[r % len(systems):] + systems[:r % len(systems)]
            for system in order:
                log(f"round {r + 1}/{self.args.rounds}: {system}")
                res = self.one_run(system)
                log(f"  {res['mbps']:.0f} Mbit/s, rtt {res['rtt_ms']} ms, "
                    f"daemon cpu {res['cpu_s']}, host busy "
                    f"{res['host_busy'] * 100:.0f} %")
                results[system].append(res)
                time.sleep(1)
        return results


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def environment():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def version(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True,
                               timeout=10)
            return (r.stdout or r.stderr).splitlines()[0].strip()
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    def deb(pkg):
        return version(["dpkg-query", "-W", "-f", "${Version}", pkg])

    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "kernel": platform.release(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
        "iperf3": version(["iperf3", "--version"]),
        "strongswan": deb("strongswan-charon"),
        "wireguard-go": deb("wireguard-go"),
    }


def report(results, env, args):
    veth = median(x["mbps"] for x in results.get("veth", []))
    lines = [
        f"date {env['date']}, kernel {env['kernel']}, {env['cpus']} x "
        f"{env['cpu']}, load at start {' '.join(env['loadavg_start'])}",
        f"{args.rounds} rounds x {args.duration} s, single TCP stream, "
        "medians (min-max over rounds)",
        "",
        "| path | Mbit/s | min-max | vs veth | RTT ms | daemon CPU s/GB "
        "(both ends) | TCP retransmits | host CPU busy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = {}

    def fmt(v, spec):
        return "-" if v is None else format(v, spec)
    for system, runs in results.items():
        mb = [x["mbps"] for x in runs]
        m = median(mb)
        rtt = median(x["rtt_ms"] for x in runs)
        cpu = median(x["cpu_s_per_gb"] for x in runs)
        retrans = median(x["retransmits"] for x in runs)
        busy = median(x.get("host_busy") for x in runs)
        summary[system] = {"mbps": m, "rtt_ms": rtt, "cpu_s_per_gb": cpu,
                           "retransmits": retrans}
        ratio = m / veth if veth else None
        lines.append(f"| {system} | {m:.0f} | {min(mb):.0f}-{max(mb):.0f} | "
                     f"{fmt(ratio, '.3f')} | {fmt(rtt, '.3f')} | "
                     f"{fmt(cpu, '.1f')} | {fmt(retrans, '.0f')} | "
                     f"{fmt(busy and busy * 100, '.0f')} % |")
    lines.append("")
    s6 = summary.get("scout6", {}).get("mbps")
    for peer, label in (("strongswan", "strongSwan"),
                        ("wg-go", "wireguard-go")):
        p = summary.get(peer, {}).get("mbps")
        if s6 and p:
            ratio = s6 / p
            summary[f"scout6/{peer}"] = ratio
            lines.append(f"scout6 / {label}: {ratio:.2f}x throughput "
                         f"(project target 3x: "
                         f"{'met' if ratio >= 3 else 'NOT met'})")
            c6 = summary["scout6"]["cpu_s_per_gb"]
            cp = summary[peer]["cpu_s_per_gb"]
            if c6 and cp:
                lines.append(f"  daemon CPU per GB, {label} / scout6: "
                             f"{cp / c6:.2f}x")
    return "\n".join(lines), summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10,
                    help="seconds per iperf3 run")
    ap.add_argument("--pings", type=int, default=50)
    ap.add_argument("--only", default=",".join(SYSTEMS),
                    help="comma-separated subset of " + ",".join(SYSTEMS))
    ap.add_argument("--scout6",
                    default=os.path.join(ROOT, "build", "cli", "scout6"))
    ap.add_argument("--scout6-mtu", type=int, default=1400)
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--keep-logs", help="copy daemon logs to this directory")
    args = ap.parse_args()

    systems = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in systems if s not in SYSTEMS]
    if bad or not systems:
        ap.error(f"unknown system(s) {bad}; choose from {SYSTEMS}")
    if os.geteuid() != 0:
        sys.exit("throughput.py must run as root (namespaces, TUN)")
    for tool in ("ip", "iperf3", "ping", "sysctl"):
        if not shutil.which(tool):
            sys.exit(f"throughput.py: {tool} is missing")
    if "strongswan" in systems and not shutil.which("swanctl"):
        sys.exit("throughput.py: swanctl missing (strongswan-swanctl)")

    # SIGTERM/SIGHUP become an exception so that cleanup runs.
    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    env = environment()
    bench = Bench(args)
    try:
        bench.setup_topology()
        setup = {"scout6": bench.setup_scout6,
                 "strongswan": bench.setup_strongswan,
                 "wg-go": bench.setup_wg}
        for s in systems:
            if s in setup:
                setup[s]()
        results = bench.measure(systems)
    except BenchError as e:
        print(f"throughput.py: FAILED: {e}", file=sys.stderr)
        for name, _ in bench.procs:
            tail = bench.log_tail(name, 15)
            if tail.strip():
                print(f"--- {name} log tail ---\n{tail}", file=sys.stderr)
        bench.cleanup()
        return 1
    except KeyboardInterrupt:
        bench.cleanup()
        return 130
    except BaseException:
        bench.cleanup()
        raise
    bench.cleanup()

    text, summary = report(results, env, args)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"env": env, "args": vars(args), "runs": results,
                       "summary": summary}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
