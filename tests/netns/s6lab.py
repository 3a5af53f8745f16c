"""Network-namespace lab for scout6 tests (python3 standard library only).

A Lab builds namespaces joined by veth pairs, gives them IPv6 ULA
addresses (fd00::/8 only), starts processes inside them, captures links
with tcpdump and tears everything down again: on a normal exit, on an
exception, on SIGINT/SIGTERM/SIGHUP and, as a last resort, at interpreter
exit. It only ever signals processes it started itself, then deletes the
namespaces it created.

Namespace names are unique per run: "s6-<tag>-<pid>-<rand>-<node>", so
several runs (or a crashed earlier one) never collide. Interface names
only need to be unique inside a namespace: the interface in node A that
leads to node B is called "v-B".

Also here: a pcap reader and a packet classifier for the kinds of packet
the tests reason about (SCOUT6 queries and answers, IKE, ESP-in-UDP,
cleartext ICMPv6 echo and TCP), a TOML writer for scout6 configs and a
small test runner that prints "N passed, N failed".
"""

import atexit
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NETNS_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable or "python3"
NS_PREFIX = "s6-"
NS_PATTERN = re.compile(r"^s6-[a-z0-9]+-(\d+)-[0-9a-f]{4}-[a-z0-9-]+$")


class TestFailure(AssertionError):
    """An observation did not match what the test requires."""


def check(cond, msg):
    """Fail the current test with msg unless cond holds."""
    if not cond:
        raise TestFailure(msg)


def log(msg):
    print(f"  {msg}", flush=True)


def wait_for(pred, timeout, interval=0.05, what="condition"):
    """Poll pred() until it returns a true value; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        val = pred()
        if val:
            return val
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def scout6_binary():
    """Path of the scout6 daemon under test: $SCOUT6_BIN or the build dir."""
    if os.environ.get("SCOUT6_BIN"):
        return os.environ["SCOUT6_BIN"]
    build = os.environ.get("SCOUT6_BUILD_DIR", "build")
    if not os.path.isabs(build):
        build = os.path.join(REPO, build)
    return os.path.join(build, "cli", "scout6")


def require_scout6():
    path = scout6_binary()
    check(os.path.isfile(path) and os.access(path, os.X_OK),
          f"scout6 binary not found or not executable: {path} "
          "(build it with scripts/build.sh)")
    return path


# --------------------------------------------------------------------------
# Signal and exit handling: every live Lab is torn down exactly once.

_LIVE_LABS = []
_HANDLERS_INSTALLED = False


def _on_signal(signum, _frame):
    # Unwind into the with-blocks (their __exit__ tears the labs down); the
    # atexit hook is the fallback if the signal lands outside of one.
    raise SystemExit(128 + signum)


def _teardown_all():
    for lab in list(_LIVE_LABS):
        lab.teardown()


def _install_handlers():
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    atexit.register(_teardown_all)
    _HANDLERS_INSTALLED = True


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_stale_namespaces():
    """Delete lab namespaces whose creating run is gone (crash, SIGKILL).

    Only names that follow this harness's pattern and whose embedded pid
    is no longer alive are removed; no process is signalled.
    """
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return []
    removed = []
    for name in names:
        m = NS_PATTERN.match(name)
        if m and int(m.group(1)) != os.getpid() and \
                not _pid_alive(int(m.group(1))):
            subprocess.run(["ip", "netns", "del", name],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            removed.append(name)
    return removed


# --------------------------------------------------------------------------
# Lab


class Node:
    def __init__(self, lab, name, ns, router):
        self.lab = lab
        self.name = name
        self.ns = ns
        self.router = router
        self.addrs = {}  # peer node name -> address on the link to it

    def addr(self, peer=None):
        """This node's address on the link to peer (or its only address)."""
        if peer is None:
            check(len(self.addrs) == 1,
                  f"{self.name} has {len(self.addrs)} links; name the peer")
            return next(iter(self.addrs.values()))
        return self.addrs[peer.name if isinstance(peer, Node) else peer]

    def ifname(self, peer):
        return "v-" + (peer.name if isinstance(peer, Node) else peer)

    def __repr__(self):
        return f"Node({self.name}@{self.ns})"


class Proc:
    """A process this lab started inside a namespace."""

    def __init__(self, popen, name, log_path, node):
        self.popen = popen
        self.name = name
        self.log_path = log_path
        self.node = node

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def send_signal(self, sig):
        if self.running():
            self.popen.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Send sig, wait up to timeout, SIGKILL if still alive.

        Returns the exit code (negative for death by signal), or None when
        the process had to be killed after the timeout.
        """
        if not self.running():
            return self.popen.returncode
        self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return None

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


class Capture:
    """tcpdump -w on one interface of one namespace."""

    def __init__(self, lab, node, ifname, path, proc):
        self.lab = lab
        self.node = node
        self.ifname = ifname
        self.path = path
        self.proc = proc
        self.packets = None

    def stop(self):
        """Stop tcpdump (it flushes on SIGINT) and return the packets."""
        if self.packets is None:
            self.proc.stop(signal.SIGINT, timeout=5)
            self.packets = read_pcap(self.path)
        return self.packets


class Lab:
    """Namespaces, links, processes and captures of one test; see module."""

    def __init__(self, tag, keep=None):
        check(re.fullmatch(r"[a-z0-9]{1,8}", tag) is not None,
              f"bad lab tag {tag!r}")
        _install_handlers()
        self.tag = tag
        self.run_id = f"{os.getpid()}-{secrets.token_hex(2)}"
        self.prefix = f"{NS_PREFIX}{tag}-{self.run_id}-"
        self.dir = f"/tmp/scout6-lab-{tag}-{self.run_id}"
        os.makedirs(self.dir, mode=0o700)
        self.nodes = {}
        self.links = []
        self.procs = []
        self.captures = []
        self.sockets = []
        self.extra_logs = []  # more files to show when a test fails
        self.keep = (os.environ.get("SCOUT6_KEEP") == "1"
                     if keep is None else keep)
        self.failed = False
        self._torn_down = False
        _LIVE_LABS.append(self)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.failed = True
        self.teardown()
        return False

    # -- commands ---------------------------------------------------------

    def sh(self, argv, check_rc=True, timeout=60, input=None):
        """Run a command in the root namespace; return CompletedProcess."""
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, input=input,
                           stdin=None if input is not None
                           else subprocess.DEVNULL)
        if check_rc and r.returncode != 0:
            raise TestFailure(f"command failed ({r.returncode}): "
                              f"{' '.join(argv)}\n{r.stdout}{r.stderr}")
        return r

    def sh_env(self, argv, env, check_rc=True, timeout=60):
        """Like sh(), with an extra environment."""
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL,
                           env=env)
        if check_rc and r.returncode != 0:
            raise TestFailure(f"command failed ({r.returncode}): "
                              f"{' '.join(argv)}\n{r.stdout}{r.stderr}")
        return r

    def run(self, node, argv, check_rc=True, timeout=60, input=None):
        """Run a command inside node's namespace and wait for it."""
        return self.sh(["ip", "netns", "exec", node.ns] + list(argv),
                       check_rc=check_rc, timeout=timeout, input=input)

    def spawn(self, node, argv, name, env=None):
        """Start a long-running process in node's namespace.

        stdout and stderr go to <lab dir>/<name>.log. The pid of the
        returned Proc is the command's own pid, because `ip netns exec`
        execs the command after switching namespaces.
        """
        log_path = os.path.join(self.dir, f"{name}.log")
        out = open(log_path, "wb")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        popen = subprocess.Popen(["ip", "netns", "exec", node.ns] +
                                 list(argv), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=subprocess.STDOUT,
                                 env=full_env)
        out.close()
        proc = Proc(popen, name, log_path, node)
        self.procs.append(proc)
        return proc

    # -- topology ---------------------------------------------------------

    def add_node(self, name, router=False):
        check(re.fullmatch(r"[a-z0-9]{1,10}", name) is not None,
              f"bad node name {name!r}")
        ns = self.prefix + name
        self.sh(["ip", "netns", "add", ns])
        node = Node(self, name, ns, router)
        self.nodes[name] = node
        # DAD off before any interface exists, so that addresses (and the
        # link-locals the kernel adds) are usable at once instead of
        # staying tentative for a second or two.
        sysctls = ["net.ipv6.conf.all.accept_dad=0",
                   "net.ipv6.conf.default.accept_dad=0",
                   "net.ipv6.conf.default.router_solicitations=0",
                   "net.ipv6.conf.all.forwarding=" + ("1" if router else "0")]
        self.run(node, ["sysctl", "-qw"] + sysctls)
        self.run(node, ["ip", "link", "set", "lo", "up"])
        return node

    def link(self, a, b, prefix, a_host, b_host):
        """Join a and b with a veth pair and address both ends in prefix.

        a_host and b_host are interface identifiers inside the /64, e.g.
        link(h1, r, "fd00:a::/64", 0x10, 0x1) gives h1 fd00:a::10 and r
        fd00:a::1.
        """
        net = ipaddress.IPv6Network(prefix)
        check(net.subnet_of(ipaddress.IPv6Network("fd00::/8")),
              f"{prefix} is not inside fd00::/8")
        self.run(a, ["ip", "link", "add", a.ifname(b), "type", "veth",
                     "peer", "name", b.ifname(a), "netns", b.ns])
        for node, peer, host in ((a, b, a_host), (b, a, b_host)):
            addr = str(net.network_address + host)
            self.run(node, ["ip", "addr", "add", f"{addr}/{net.prefixlen}",
                            "dev", node.ifname(peer), "nodad"])
            self.run(node, ["ip", "link", "set", node.ifname(peer), "up"])
            node.addrs[peer.name] = addr
        self.links.append((a, b))

    def settle(self, timeout=10):
        """Wait until every link passes traffic in both directions.

        A new veth drops what it is given until the kernel's link watcher
        activates its queue, up to a second after it comes up; a test
        that counts packets must not start before that.
        """
        for a, b in self.links:
            for src, dst in ((a, b), (b, a)):
                wait_for(lambda: self.run(
                    src, ["ping", "-6", "-n", "-c", "1", "-W", "1",
                          dst.addr(src)], check_rc=False).returncode == 0,
                    timeout, interval=0.05,
                    what=f"link {src.name}->{dst.name}")

    def route(self, node, prefix, via):
        via_addr = via.addr(node) if isinstance(via, Node) else via
        self.run(node, ["ip", "-6", "route", "add", prefix, "via", via_addr])

    # -- traffic and observation ------------------------------------------

    def capture(self, node, peer, name=None, snaplen=192):
        """Start tcpdump on node's link to peer; return once it listens."""
        ifname = node.ifname(peer)
        name = name or f"cap-{node.name}-{ifname}"
        path = os.path.join(self.dir, f"{name}.pcap")
        # --immediate-mode: without it packets wait in the capture ring
        # for up to a second and those still there when tcpdump stops are
        # lost. -U: write each packet at once. -Z root: keep writing into
        # our root-owned directory instead of dropping to the tcpdump user.
        proc = self.spawn(node, ["tcpdump", "-i", ifname, "-n",
                                 "--immediate-mode", "-U", "-Z", "root",
                                 "-s", str(snaplen), "-w", path], name)
        wait_for(lambda: "listening on" in proc.log_text() or
                 not proc.running(), 10, what=f"tcpdump on {ifname}")
        check(proc.running(), f"tcpdump on {node.name}/{ifname} died:\n"
              f"{proc.log_text()}")
        cap = Capture(self, node, ifname, path, proc)
        self.captures.append(cap)
        return cap

    def ping(self, src, dst_addr, count=5, wait=2, interval=0.5,
             timeout=60):
        """ping from src; return (sent, received) parsed from its summary."""
        r = self.run(src, ["ping", "-6", "-n", "-c", str(count), "-W",
                           str(wait), "-i", str(interval), dst_addr],
                     check_rc=False, timeout=timeout)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
        check(m is not None, f"unexpected ping output:\n{r.stdout}{r.stderr}")
        return int(m.group(1)), int(m.group(2))

    def tcp_listener(self, node, addr, port):
        """Start a one-connection TCP receiver in node; return once it
        listens. Its log holds bytes= and sha256= once the peer closes."""
        helper = os.path.join(NETNS_DIR, "tcp_xfer.py")
        proc = self.spawn(node, [PYTHON, helper, "recv", addr, str(port)],
                          f"tcp-recv-{node.name}-{port}")
        wait_for(lambda: "listening" in proc.log_text() or
                 not proc.running(), 10, what=f"tcp receiver on {port}")
        check(proc.running(), f"tcp receiver on {node.name}:{port} exited:"
              f"\n{proc.log_text()}")
        return proc

    def tcp_transfer(self, src, dst, dst_addr, size, port=5201,
                     timeout=120):
        """Send size random bytes src -> dst over TCP; return both digests.

        Returns (sent_sha256, received_sha256, seconds).
        """
        helper = os.path.join(NETNS_DIR, "tcp_xfer.py")
        recv = self.tcp_listener(dst, dst_addr, port)
        t0 = time.monotonic()
        r = self.run(src, [PYTHON, helper, "send", dst_addr, str(port),
                           str(size)], check_rc=False, timeout=timeout)
        seconds = time.monotonic() - t0
        try:
            recv.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            recv.stop(signal.SIGKILL)
        sent = _field(r.stdout, "sha256")
        got = _field(recv.log_text(), "sha256")
        check(r.returncode == 0 and sent,
              f"tcp sender failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        return sent, got, seconds

    def tcp_connect(self, src, dst_addr, port, timeout=5):
        """Try one TCP connect from src; return True if it connected."""
        helper = os.path.join(NETNS_DIR, "tcp_xfer.py")
        r = self.run(src, [PYTHON, helper, "connect", dst_addr, str(port),
                           str(timeout)], check_rc=False,
                     timeout=timeout + 10)
        return r.returncode == 0

    # -- scout6 -----------------------------------------------------------

    def scout6_config(self, node, addresses, protect, psk=None,
                      known_peers=(), extra=None):
        """Write a scout6 config for node; return (path, socket path)."""
        sock_dir = "/run/scout6"
        os.makedirs(sock_dir, mode=0o755, exist_ok=True)
        sock = f"{sock_dir}/{node.name}-{self.tag}-{self.run_id}.sock"
        self.sockets.append(sock)
        psk_path = os.path.join(self.dir, f"{node.name}.psk")
        fd = os.open(psk_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(psk or lab_psk(self))
        conf = {
            "node": {"name": node.name, "addresses": list(addresses),
                     "log_level": os.environ.get("SCOUT6_LOG_LEVEL", "debug"),
                     "control_socket": sock},
            "scope": {"protect": list(protect), "on_unsecurable": "drop"},
            "ike": {"psk_file": psk_path, "known_peers": list(known_peers)},
            "discovery": {"first_timeout_ms": 300},
            "dataplane": {"tun_mtu": 1400},
        }
        for section, values in (extra or {}).items():
            conf.setdefault(section, {}).update(values)
        path = os.path.join(self.dir, f"{node.name}.toml")
        with open(path, "w") as f:
            f.write(to_toml(conf))
        return path, sock

    def start_scout6(self, node, config, name=None, wait_ready=True):
        """check-config, then `scout6 run` in node; wait for its socket."""
        binary = require_scout6()
        path, sock = config
        r = self.run(node, [binary, "check-config", path], check_rc=False)
        check(r.returncode == 0, f"scout6 check-config {path} failed "
              f"({r.returncode}):\n{r.stdout}{r.stderr}")
        proc = self.spawn(node, [binary, "run", "--config", path],
                          name or f"scout6-{node.name}")
        proc.config = path
        proc.sock = sock
        if wait_ready:
            wait_for(lambda: not proc.running() or
                     self.scout6_status(node, proc, check_rc=False), 15,
                     interval=0.1, what=f"scout6 on {node.name} to answer "
                     "status")
            check(proc.running(), f"scout6 on {node.name} exited "
                  f"({proc.popen.returncode}):\n{tail(proc.log_text())}")
        return proc

    def scout6_status(self, node, proc, check_rc=True):
        """`scout6 status --json` for the daemon proc; parsed JSON or None."""
        r = self.run(node, [scout6_binary(), "status", "--json", "--socket",
                            proc.sock], check_rc=False, timeout=10)
        if r.returncode != 0:
            if check_rc:
                raise TestFailure(f"scout6 status failed ({r.returncode}):"
                                  f"\n{r.stdout}{r.stderr}")
            return None
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            raise TestFailure(f"scout6 status --json is not JSON ({e}):\n"
                              f"{r.stdout}")

    # -- teardown ---------------------------------------------------------

    def teardown(self):
        """Stop our processes, delete our namespaces and files. Idempotent."""
        if self._torn_down:
            return
        self._torn_down = True
        old = {}
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            old[sig] = signal.signal(sig, signal.SIG_IGN)
        try:
            for proc in reversed(self.procs):
                if proc.running():
                    proc.stop(signal.SIGTERM, timeout=5)
            if self.failed:
                self.dump_logs()
            for node in reversed(list(self.nodes.values())):
                subprocess.run(["ip", "netns", "del", node.ns],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            for sock in self.sockets:
                try:
                    os.unlink(sock)
                except OSError:
                    pass
            if self.keep or self.failed:
                print(f"  lab files kept in {self.dir}", flush=True)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
        finally:
            if self in _LIVE_LABS:
                _LIVE_LABS.remove(self)
            for sig, handler in old.items():
                signal.signal(sig, handler)

    def dump_logs(self, lines=40):
        for proc in self.procs:
            if proc.name.startswith("cap-"):
                continue
            text = tail(proc.log_text(), lines)
            if text.strip():
                print(f"  ---- {proc.name} (last {lines} lines) ----")
                for line in text.splitlines():
                    print(f"  | {line}")
        for path in self.extra_logs:
            try:
                with open(path, errors="replace") as f:
                    text = tail(f.read(), lines)
            except FileNotFoundError:
                continue
            print(f"  ---- {path} (last {lines} lines) ----")
            for line in text.splitlines():
                print(f"  | {line}")
        sys.stdout.flush()


def lab_psk(lab):
    """One PSK per lab, shared by every node in it (>= 16 bytes)."""
    if not hasattr(lab, "_psk"):
        lab._psk = "lab-" + secrets.token_hex(16)
    return lab._psk


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


def _field(text, key):
    m = re.search(rf"^{key}=(\S+)$", text, re.M)
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# TOML writer for the small subset our configs use.

def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {v!r}")


def to_toml(conf):
    out = []
    for section, values in conf.items():
        out.append(f"[{section}]")
        for key, value in values.items():
            out.append(f"{key} = {_toml_value(value)}")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------
# pcap reading and packet classification

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276
ETH_P_IPV6 = 0x86DD


class Packet:
    """One captured IPv6 packet.

    kind is one of: doq, dor, raq, ike, esp-udp, natt-keepalive, esp,
    icmp6-echo, icmp6-error, icmp6-nd, icmp6-other, tcp-payload, tcp-empty,
    udp-other, other, non-ipv6.
    """

    def __init__(self, ts, data):
        self.ts = ts
        self.data = data
        self.kind = "non-ipv6"
        self.length = 0      # IPv6 header + payload, from the header
        self.src = self.dst = ""
        self.info = {}
        if data is not None:
            _classify(self)

    def __repr__(self):
        return (f"<{self.kind} {self.length}B {self.src} > {self.dst}"
                f"{' ' + str(self.info) if self.info else ''}>")


def read_pcap(path):
    """Return the packets of a classic pcap file (µs or ns timestamps)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 24:
        return []  # tcpdump stopped before it wrote the header
    magic = raw[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise TestFailure(f"{path}: not a pcap file (magic {magic.hex()})")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", raw[20:24])[0] & 0x0FFFFFFF
    packets = []
    off = 24
    while off + 16 <= len(raw):
        sec, frac, incl, _orig = struct.unpack(end + "IIII",
                                               raw[off:off + 16])
        off += 16
        frame = raw[off:off + incl]
        off += incl
        if len(frame) < incl:
            break  # last record cut short
        ts = sec + frac / (1e9 if nano else 1e6)
        packets.append(Packet(ts, _ipv6_of(frame, linktype)))
    return packets


def _ipv6_of(frame, linktype):
    """The IPv6 packet inside a link-layer frame, or None."""
    if linktype == LINKTYPE_ETHERNET:
        if len(frame) < 14:
            return None
        etype = struct.unpack("!H", frame[12:14])[0]
        off = 14
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if etype == ETH_P_IPV6 else None
    if linktype == LINKTYPE_LINUX_SLL:
        if len(frame) < 16:
            return None
        proto = struct.unpack("!H", frame[14:16])[0]
        return frame[16:] if proto == ETH_P_IPV6 else None
    if linktype == LINKTYPE_LINUX_SLL2:
        if len(frame) < 20:
            return None
        proto = struct.unpack("!H", frame[0:2])[0]
        return frame[20:] if proto == ETH_P_IPV6 else None
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV6):
        return frame if frame and frame[0] >> 4 == 6 else None
    return None


# Option types and sizes from SPEC §3.
OPT_DOQ = 196
OPT_DOR = 66
OPT_ROUTER_ALERT = 5
DOQ_LEN = 48
DOR_LEN = 64
NH_HOPOPTS, NH_TCP, NH_UDP, NH_ROUTING, NH_FRAGMENT = 0, 6, 17, 43, 44
NH_ESP, NH_ICMP6, NH_NONE, NH_DSTOPTS = 50, 58, 59, 60


def _options(hdr):
    """(type, data) pairs of a Hop-by-Hop / Destination Options header."""
    opts = []
    i = 2
    while i < len(hdr):
        t = hdr[i]
        if t == 0:  # Pad1
            i += 1
            continue
        if i + 1 >= len(hdr):
            break
        n = hdr[i + 1]
        opts.append((t, hdr[i + 2:i + 2 + n]))
        i += 2 + n
    return opts


def _classify(p):
    b = p.data
    if len(b) < 40 or b[0] >> 4 != 6:
        p.kind = "non-ipv6"
        return
    plen = struct.unpack("!H", b[4:6])[0]
    p.length = 40 + plen
    p.src = str(ipaddress.IPv6Address(b[8:24]))
    p.dst = str(ipaddress.IPv6Address(b[24:40]))
    first_nh = nh = b[6]
    off = 40
    opts = {}  # extension header type -> list of options
    while nh in (NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING, NH_FRAGMENT):
        if off + 8 > len(b):
            p.kind = "other"
            return
        if nh == NH_FRAGMENT:
            hlen = 8
        else:
            hlen = (b[off + 1] + 1) * 8
        if nh in (NH_HOPOPTS, NH_DSTOPTS):
            opts.setdefault(nh, []).extend(_options(b[off:off + hlen]))
        nh = b[off]
        off += hlen
    dst_types = {t: d for t, d in opts.get(NH_DSTOPTS, [])}
    hop_types = {t: d for t, d in opts.get(NH_HOPOPTS, [])}
    if nh == NH_NONE:
        if first_nh == NH_DSTOPTS and OPT_DOQ in dst_types:
            p.kind = "doq"
        elif first_nh == NH_DSTOPTS and OPT_DOR in dst_types:
            p.kind = "dor"
            data = dst_types[OPT_DOR]
            if len(data) >= 20:
                p.info["mask"] = struct.unpack("!I", data[0:4])[0]
                p.info["queried"] = str(ipaddress.IPv6Address(data[4:20]))
        elif first_nh == NH_HOPOPTS and OPT_ROUTER_ALERT in hop_types:
            p.kind = "raq"
            ra = hop_types[OPT_ROUTER_ALERT]
            if len(ra) == 2:
                p.info["ra"] = struct.unpack("!H", ra)[0]
        else:
            p.kind = "other"
        return
    if nh == NH_ICMP6 and off + 4 <= len(b):
        t, code = b[off], b[off + 1]
        p.info["type"], p.info["code"] = t, code
        if t in (128, 129):
            p.kind = "icmp6-echo"
        elif t < 128:
            p.kind = "icmp6-error"
            if t == 4 and off + 8 <= len(b):
                p.info["pointer"] = struct.unpack("!I", b[off + 4:off + 8])[0]
        elif 133 <= t <= 137:
            p.kind = "icmp6-nd"
        else:
            p.kind = "icmp6-other"
        return
    if nh == NH_TCP and off + 20 <= len(b):
        sport, dport = struct.unpack("!HH", b[off:off + 4])
        thl = (b[off + 12] >> 4) * 4
        payload = p.length - off - thl
        p.info.update(sport=sport, dport=dport, payload=payload)
        p.kind = "tcp-payload" if payload > 0 else "tcp-empty"
        return
    if nh == NH_UDP and off + 8 <= len(b):
        sport, dport, ulen = struct.unpack("!HHH", b[off:off + 6])
        body = b[off + 8:]
        body_len = ulen - 8
        p.info.update(sport=sport, dport=dport)
        if 500 in (sport, dport):
            p.kind = "ike"
        elif 4500 in (sport, dport):
            if body_len == 1 and body[:1] == b"\xff":
                p.kind = "natt-keepalive"
            elif body_len >= 4 and len(body) >= 4:
                if body[:4] == b"\0\0\0\0":
                    p.kind = "ike"  # RFC 3948 §2.2 non-ESP marker
                else:
                    p.kind = "esp-udp"
                    p.info["spi"] = body[:4].hex()
            else:
                p.kind = "udp-other"
        else:
            p.kind = "udp-other"
        return
    if nh == NH_ESP:
        p.kind = "esp"
        return
    p.kind = "other"


def kinds(packets):
    """Count of packets per kind, as a plain dict sorted by kind."""
    out = {}
    for p in packets:
        out[p.kind] = out.get(p.kind, 0) + 1
    return dict(sorted(out.items()))


def of_kind(packets, *wanted):
    return [p for p in packets if p.kind in wanted]


def first_index(packets, kind):
    for i, p in enumerate(packets):
        if p.kind == kind:
            return i
    return None


# --------------------------------------------------------------------------
# Status JSON helpers (schema: cli/control.cpp to_json). Tests print the
# whole document when a lookup finds nothing, so a renamed field shows up
# as a readable failure rather than a KeyError.

def walk(obj, path=()):
    """Yield (path, value) for every leaf and container in obj."""
    yield path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, path + (str(k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, path + (str(i),))


def channels_to(status, addr):
    """Entries of status["channels"] whose peer is addr."""
    chans = status.get("channels") if isinstance(status, dict) else None
    if not isinstance(chans, list):
        return []
    return [c for c in chans if isinstance(c, dict) and c.get("peer") == addr]


def counter(status, *names):
    """Sum of the numeric fields named any of names, at any depth."""
    total = 0
    for path, v in walk(status):
        if path and isinstance(v, int) and not isinstance(v, bool) and \
                path[-1] in names:
            total += v
    return total


# --------------------------------------------------------------------------
# Test runner


def run_tests(tests, argv=None, results_path=None):
    """Run test functions; print a summary; return the exit status.

    argv may hold -k SUBSTRING (repeatable) to select tests by name.
    Writes {"passed": [...], "failed": [...]} to results_path if given.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = []
    while argv:
        a = argv.pop(0)
        if a == "-k" and argv:
            selected.append(argv.pop(0))
        elif a == "--list":
            for t in tests:
                print(t.__name__)
            return 0
        else:
            print(f"unknown argument {a!r}", file=sys.stderr)
            return 2
    if os.geteuid() != 0:
        print("these tests need root (network namespaces)", file=sys.stderr)
        return 2
    for tool in ("ip", "tcpdump", "ping", "sysctl", "nft"):
        if shutil.which(tool) is None:
            print(f"required tool missing: {tool}", file=sys.stderr)
            return 2
    _install_handlers()
    stale = reap_stale_namespaces()
    if stale:
        print(f"removed {len(stale)} stale lab namespaces from dead runs")
    chosen = [t for t in tests
              if not selected or any(s in t.__name__ for s in selected)]
    passed, failed = [], []
    for t in chosen:
        print(f"== {t.__name__}", flush=True)
        t0 = time.monotonic()
        try:
            t()
        except TestFailure as e:
            failed.append(t.__name__)
            print(f"FAIL {t.__name__}: {e}", flush=True)
        except Exception:  # a harness error fails the test, loudly
            failed.append(t.__name__)
            print(f"ERROR {t.__name__}:\n{traceback.format_exc()}",
                  flush=True)
        else:
            passed.append(t.__name__)
            print(f"ok   {t.__name__} ({time.monotonic() - t0:.1f}s)",
                  flush=True)
    if results_path or os.environ.get("SCOUT6_RESULTS"):
        with open(results_path or os.environ["SCOUT6_RESULTS"], "w") as f:
            json.dump({"passed": passed, "failed": failed}, f)
    print(f"{len(passed)} passed, {len(failed)} failed", flush=True)
    if not chosen:
        print("no test selected", file=sys.stderr)
        return 1
    return 1 if failed else 0
