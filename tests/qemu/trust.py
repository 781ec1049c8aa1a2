#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""trust.py - the host's side of the Secure Boot and TPM tests.

  trust.py authenticode FILE
      the PE image's Authenticode SHA-256 (Microsoft's "Windows Authenticode
      Portable Executable Signature Format", "Calculating the PE Image
      Hash"), in hex: written here apart from efikexec's lib/trust.c, so the
      two check each other.
  trust.py dbx VARS.json HASH OUT.json
      the firmware variables with HASH (hex SHA-256) added to dbx as one
      more EFI_CERT_SHA256 list, for `virt-fw-vars --set-json`.
  trust.py check SERIAL-LOG --cmdline TEXT [--initrd FILE]... [--kernel FILE]
      the TPM event log and PCRs 0-9 the guest printed (tests/qemu/init.sh,
      efikexec.trust=1): every PCR equals the replay of its events; PCR 9
      holds the tagged initrd event with the digest of the initrds joined as
      efikexec joins them (each at a 4-byte boundary) and the tagged
      LoadOptions event with the digest of TEXT as UTF-16LE with its NUL;
      with --kernel, PCR 4 holds an EV_EFI_BOOT_SERVICES_APPLICATION with
      the kernel's Authenticode digest. Prints the events of PCRs 4, 8, 9.
"""
import base64
import hashlib
import json
import re
import struct
import sys

EV_NO_ACTION = 3
EV_EVENT_TAG = 6
EV_IPL = 0xD
EV_BSA = 0x80000003
TAG_INITRD = 0x8F3B22EC
TAG_OPTIONS = 0x8F3B22ED
SHA256 = 0x000B
SIZES = {0x0004: 20, 0x000B: 32, 0x000C: 48, 0x000D: 64, 0x0012: 32}


def authenticode(data):
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    assert data[pe:pe + 4] == b'PE\0\0', 'not PE'
    nsec = struct.unpack_from('<H', data, pe + 6)[0]
    opt = pe + 24
    table = opt + struct.unpack_from('<H', data, pe + 20)[0]
    magic = struct.unpack_from('<H', data, opt)[0]
    dirs = opt + (96 if magic == 0x10b else 112)
    certdir = dirs + 4 * 8
    hdrs = struct.unpack_from('<I', data, opt + 60)[0]
    cert_off, cert_len = struct.unpack_from('<II', data, certdir)
    h = hashlib.sha256()
    h.update(data[:opt + 64])
    h.update(data[opt + 68:certdir])
    h.update(data[certdir + 8:hdrs])
    secs = []
    for i in range(nsec):
        size, ptr = struct.unpack_from('<II', data, table + 40 * i + 16)
        if size:
            secs.append((ptr, size))
    total = hdrs
    for ptr, size in sorted(secs):
        h.update(data[ptr:ptr + size])
        total += size
    if len(data) > total:
        h.update(data[total:len(data) - cert_len])
    return h.hexdigest()


def dbx(vars_json, digest, out):
    d = json.load(open(vars_json))
    entry = bytes(16) + bytes.fromhex(digest)  # owner GUID 0, then the hash
    sl = bytes.fromhex('2616c4c14c509240aca941f936934328') + struct.pack('<III', 28 + len(entry), 0, len(entry)) + entry
    for v in d['variables']:
        if v['name'] == 'dbx':
            v['data'] = v['data'] + sl.hex()
            break
    else:
        sys.exit('no dbx in ' + vars_json)
    json.dump(d, open(out, 'w'))


def parse_log(log):
    """(pcr, type, {alg: digest}, data) per event of a crypto-agile log."""
    pcr, etype = struct.unpack_from('<II', log, 0)
    size = struct.unpack_from('<I', log, 28)[0]
    spec = log[32:32 + size]
    assert spec.startswith(b'Spec ID Event03'), 'not a crypto-agile log'
    n = struct.unpack_from('<I', spec, 24)[0]
    sizes = {}
    for i in range(n):
        alg, sz = struct.unpack_from('<HH', spec, 28 + 4 * i)
        sizes[alg] = sz
    o = 32 + size
    events = []
    while o + 12 <= len(log):
        pcr, etype, count = struct.unpack_from('<III', log, o)
        o += 12
        digests = {}
        for _ in range(count):
            alg = struct.unpack_from('<H', log, o)[0]
            digests[alg] = log[o + 2:o + 2 + sizes[alg]]
            o += 2 + sizes[alg]
        esize = struct.unpack_from('<I', log, o)[0]
        data = log[o + 4:o + 4 + esize]
        o += 4 + esize
        events.append((pcr, etype, digests, data))
    assert o == len(log), 'log ends at %d, not %d' % (o, len(log))
    return events


def check(args):
    serial = open(args[0], 'rb').read().decode('latin-1').replace('\r', '')
    cmdline, initrds, kernel = None, [], None
    i = 1
    while i < len(args):
        if args[i] == '--cmdline':
            cmdline = args[i + 1]
        elif args[i] == '--initrd':
            initrds.append(args[i + 1])
        elif args[i] == '--kernel':
            kernel = args[i + 1]
        i += 2
    b64 = ''.join(re.findall(r'^EFIKEXEC-TPMLOG: (\S+)$', serial, re.M))
    pcrs = dict((int(a), b.lower()) for a, b in re.findall(r'^EFIKEXEC-PCR: (\d+) ([0-9A-Fa-f]{64})$', serial, re.M))
    if not b64 or len(pcrs) != 10:
        sys.exit('the guest printed no event log or not PCRs 0-9 (%d)' % len(pcrs))
    log = base64.b64decode(b64)
    events = parse_log(log)
    fail = []
    # replay: PCR 0 starts at the locality of a StartupLocality event
    value = {p: bytes(32) for p in range(10)}
    for pcr, etype, dig, data in events:
        if etype == EV_NO_ACTION:
            if data.startswith(b'StartupLocality\0') and pcr == 0:
                value[0] = bytes(31) + data[16:17]
            continue
        if pcr < 10 and SHA256 in dig:
            value[pcr] = hashlib.sha256(value[pcr] + dig[SHA256]).digest()
    for p in range(10):
        ok = value[p].hex() == pcrs[p]
        print('PCR %d: %s replay %s' % (p, 'equals' if ok else 'DIFFERS FROM', value[p].hex()))
        if not ok:
            fail.append('PCR %d is %s, its events replay to %s' % (p, pcrs[p], value[p].hex()))
    for pcr, etype, dig, data in events:
        if pcr in (4, 8, 9) and etype != EV_NO_ACTION:
            what = data[8:].rstrip(b'\0').decode('latin-1') if etype == EV_EVENT_TAG else \
                data.rstrip(b'\0').decode('latin-1') if etype == EV_IPL else '%d bytes' % len(data)
            print('  PCR %d type %#x sha256 %s %s' % (pcr, etype, dig.get(SHA256, b'').hex(), what))

    def tagged(tag):
        return [e for e in events if e[0] == 9 and e[1] == EV_EVENT_TAG and struct.unpack_from('<I', e[3], 0)[0] == tag]

    if initrds:
        joined = b''
        for f in initrds:
            joined += bytes(-len(joined) % 4) + open(f, 'rb').read()
        want = hashlib.sha256(joined).hexdigest()
        got = [e[2][SHA256].hex() for e in tagged(TAG_INITRD)]
        if got != [want]:
            fail.append('PCR 9 initrd events %s, want one with %s' % (got, want))
    if cmdline is not None:
        want = hashlib.sha256(cmdline.encode('utf-16-le') + b'\0\0').hexdigest()
        got = [e[2][SHA256].hex() for e in tagged(TAG_OPTIONS)]
        if got != [want]:
            fail.append('PCR 9 LoadOptions events %s, want one with %s' % (got, want))
    if kernel:
        want = authenticode(open(kernel, 'rb').read())
        got = [e[2][SHA256].hex() for e in events if e[0] == 4 and e[1] == EV_BSA]
        if want not in got:
            fail.append('no PCR 4 application event with the kernel\'s digest %s (have %s)' % (want, got))
    for f in fail:
        print('trust.py: ' + f)
    sys.exit(1 if fail else 0)


def main():
    a = sys.argv[1:]
    if a[:1] == ['authenticode']:
        print(authenticode(open(a[1], 'rb').read()))
    elif a[:1] == ['dbx']:
        dbx(a[1], a[2], a[3])
    elif a[:1] == ['check']:
        check(a[1:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
