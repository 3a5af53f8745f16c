"""strongSwan charon as an IKEv2 peer inside a lab namespace.

One charon per namespace, each with its own directory for config, vici
socket, log and pid file. Debian 12's charon writes its pid file to the
fixed path /var/run/charon.pid and will not start while another live
charon owns it, so each instance gets a private /run: `ip netns exec`
already runs the command in a mount namespace of its own (with mounts not
propagating back), and we bind our instance directory over /run there
before exec'ing charon. swanctl needs no namespace: it reaches charon
through the vici socket's file path.
"""

import os
import re
import string
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "netns"))

import s6lab  # noqa: E402
from s6lab import check, wait_for  # noqa: E402

CHARON_PATHS = ("/usr/lib/ipsec/charon", "/usr/libexec/ipsec/charon",
                "/usr/libexec/strongswan/charon")


def charon_binary():
    for path in CHARON_PATHS:
        if os.access(path, os.X_OK):
            return path
    raise s6lab.TestFailure("strongSwan charon not found in "
                            f"{CHARON_PATHS}; run scripts/install-deps.sh")


def _render(template, path, **values):
    with open(os.path.join(HERE, "conf", template)) as f:
        text = string.Template(f.read()).substitute(values)
    with open(path, "w") as f:
        f.write(text)


class Charon:
    """A charon in node, configured for one host-to-host connection."""

    def __init__(self, lab, node, local, remote, responder, psk):
        self.lab = lab
        self.node = node
        self.dir = os.path.join(lab.dir, f"charon-{node.name}")
        self.run_dir = os.path.join(self.dir, "run")
        os.makedirs(self.run_dir, mode=0o755)
        self.conf = os.path.join(self.dir, "strongswan.conf")
        self.swanctl_conf = os.path.join(self.dir, "swanctl.conf")
        self.env = dict(os.environ, STRONGSWAN_CONF=self.conf)
        _render("strongswan.conf.in", self.conf, RUN=self.dir)
        _render("swanctl.conf.in", self.swanctl_conf, LOCAL=local,
                REMOTE=remote, REMOTE_ADDRS="%any" if responder else remote,
                PSK=psk)
        os.chmod(self.swanctl_conf, 0o600)
        self.proc = None
        lab.extra_logs.append(os.path.join(self.dir, "charon.log"))

    def start(self):
        script = ('mount --bind "$1" /run && '
                  'exec env STRONGSWAN_CONF="$2" "$3"')
        self.proc = self.lab.spawn(
            self.node, ["sh", "-c", script, "charon-in-netns", self.run_dir,
                        self.conf, charon_binary()],
            f"charon-{self.node.name}")
        sock = os.path.join(self.dir, "charon.vici")
        wait_for(lambda: not self.proc.running() or os.path.exists(sock),
                 15, what=f"charon vici socket in {self.node.name}")
        check(self.proc.running(), f"charon in {self.node.name} exited:\n"
              f"{self.proc.log_text()}\n{self.log_text()}")
        r = self.swanctl("--load-all", "--file", self.swanctl_conf)
        check("loaded connection 'lab'" in r.stdout,
              f"swanctl did not load the connection:\n{r.stdout}")
        return self

    def swanctl(self, *args, check_rc=True, timeout=30):
        return self.lab.sh_env(["swanctl"] + list(args), self.env,
                               check_rc=check_rc, timeout=timeout)

    def initiate(self):
        return self.swanctl("--initiate", "--ike", "lab", "--child", "host",
                            "--timeout", "15", check_rc=False, timeout=30)

    def list_sas(self):
        return self.swanctl("--list-sas").stdout

    def sa_state(self):
        """(IKE SA established?, CHILD_SA installed?, child mode text)."""
        text = self.list_sas()
        ike = re.search(r"^lab: #\d+, ESTABLISHED, IKEv2", text, re.M)
        child = re.search(r"^\s+host: #\d+, reqid \d+, INSTALLED, (\S+), ",
                          text, re.M)
        return bool(ike), bool(child), child.group(1) if child else None

    def log_text(self):
        try:
            with open(os.path.join(self.dir, "charon.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""
