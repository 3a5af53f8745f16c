#!/usr/bin/env python3
"""Self-generated vectors for tests/ike/crypto_*_test.cpp.

These are NOT published vectors. They are computed here, independently of
scout6's C++ code, with Python's hmac/hashlib and the RFC 7296 formulas
written out by hand, and the printed constants are pasted into the tests
(see crypto_vectors.txt for the last run). Run: python3 gen_crypto_vectors.py
"""
import hashlib
import hmac
import ipaddress
import struct


def prf(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def prf_plus(key: bytes, seed: bytes, length: int) -> bytes:
    # RFC 7296 section 2.13
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = prf(key, t + seed + bytes([n]))
        out += t
        n += 1
    return out[:length]


def show(name: str, value: bytes) -> None:
    print(f"{name} = {value.hex()}")


# 1. The NIST SP 800-135 IKEv2 sample (SHA-256 part, as relayed by NSS's
#    ike-sha256-vectors.h), carried past the published 132-byte DKM to the
#    168 bytes scout6's suite takes, and its Child SA KEYMAT.
ni = bytes.fromhex("3f302be1abcb28e1")
nr = bytes.fromhex("8c332ee006064c9b")
gir = bytes.fromhex(
    "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29")
spi_i = bytes.fromhex("40dac39e1e1a8640")
spi_r = bytes.fromhex("8619a1cf9a6e4c07")
skeyseed = prf(ni + nr, gir)
keymat = prf_plus(skeyseed, ni + nr + spi_i + spi_r, 32 + 36 + 36 + 32 + 32)
print("# NIST sample, full scout6 IKE keymat (self-extended)")
show("skeyseed", skeyseed)
show("sk_d", keymat[0:32])
show("sk_ei", keymat[32:68])
show("sk_er", keymat[68:104])
show("sk_pi", keymat[104:136])
show("sk_pr", keymat[136:168])
show("child_keymat_72", prf_plus(keymat[0:32], ni + nr, 72))

# 2. NAT detection hash, RFC 7296 section 2.23.
spi_a, spi_b = 0x0123456789ABCDEF, 0xFEDCBA9876543210
addr = ipaddress.IPv6Address("2001:db8::1")
port = 4500
nat = hashlib.sha1(struct.pack(">QQ", spi_a, spi_b) + addr.packed +
                   struct.pack(">H", port)).digest()
print("# NAT detection: SPIi=0123456789abcdef SPIr=fedcba9876543210 "
      "IP=2001:db8::1 port=4500")
show("nat_hash", nat)
nat_zero = hashlib.sha1(struct.pack(">QQ", spi_a, 0) +
                        ipaddress.IPv6Address("::").packed +
                        struct.pack(">H", 500)).digest()
print("# NAT detection: SPIi=0123456789abcdef SPIr=0 IP=:: port=500")
show("nat_hash_zero", nat_zero)

# 3. PSK AUTH, RFC 7296 section 2.15, worked example. The message is an
#    arbitrary stand-in for an IKE_SA_INIT request; its content does not
#    matter to the formula.
psk = b"correct horse battery staple"
real_message = bytes(range(0, 64)) + b"IKE_SA_INIT stand-in"
peer_nonce = bytes.fromhex("a5" * 32)
sk_pi = bytes.fromhex(
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
# ID payload body: ID type 5 (ID_IPV6_ADDR), 3 reserved bytes, address.
id_body = bytes([5, 0, 0, 0]) + ipaddress.IPv6Address("2001:db8::1").packed
maced_id = prf(sk_pi, id_body)
auth = prf(prf(psk, b"Key Pad for IKEv2"), real_message + peer_nonce +
           maced_id)
print("# PSK AUTH worked example")
show("psk", psk)
show("real_message", real_message)
show("id_body", id_body)
show("maced_id", maced_id)
show("auth", auth)
