#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""ukistub.py - what the UKI tests (tests/qemu/ukistub.sh) compute on the
host, written from the formats, not from efikexec's code:

  newc DIR DMODE FMODE OUT [FILE...]
      the /.extra archive systemd-stub packs (src/boot/cpio.c): FILEs by
      base name, sorted, under folder DIR (parents 0555), newc with ino
      from 1, uid/gid/mtime 0, nlink 1, NUL padding to 4, the trailer
  pcr11 UKI [PROFILE]
      the PCR 11 value systemd-stub extends for a UKI's sections (the
      stub's order; name with NUL, then VirtualSize bytes; not .pcrsig),
      base sections and PROFILE's (UAPI.5)
  policy PCRSIG PCR11 POL SIG
      checks that the PCR policy signed in PCRSIG (systemd-measure sign's
      JSON) is the TPM2_PolicyPCR digest of PCR 11 = PCR11 (SHA-256 bank):
      H(zeros || TPM_CC_PolicyPCR || TPML_PCR_SELECTION{sha256, PCR 11} ||
      H(PCR11)) (TPM 2.0 Part 3, 23.7); writes the policy and the
      signature (base64 in "sig") as bytes to POL and SIG, for openssl
  replay ITEM...
      a SHA-256 PCR extended from zero by the digest of each ITEM:
      f:PATH (a file's bytes), u:TEXT (UTF-16LE with its NUL), h:HEX (a
      digest as it is)
"""
import base64
import hashlib
import json
import os
import struct
import sys

ORDER = ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.splash', '.dtb', '.uname', '.sbat',
         '.pcrsig', '.pcrpkey', '.profile', '.dtbauto', '.hwids', '.efifw']


def newc(dirname, dmode, fmode, files):
    out = bytearray()
    ino = 1

    def entry(name, mode, data):
        nonlocal ino
        hdr = '070701' + ''.join('%08x' % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                                                         len(name) + 1, 0))
        ino += 1
        out.extend(hdr.encode() + name.encode() + b'\0')
        out.extend(b'\0' * (-len(out) % 4))
        out.extend(data)
        out.extend(b'\0' * (-len(out) % 4))

    parts = dirname.split('/')
    for i in range(1, len(parts)):
        entry('/'.join(parts[:i]), 0o040555, b'')
    entry(dirname, 0o040000 | dmode, b'')
    for path in sorted(files, key=lambda p: os.path.basename(p).encode('utf-16-le')):
        with open(path, 'rb') as f:
            entry(dirname + '/' + os.path.basename(path), 0o100000 | fmode, f.read())
    # the trailer, its name size written upper case as the stub writes it
    out.extend(b'070701' + b'00000000' * 4 + b'00000001' + b'00000000' * 6 + b'0000000B' + b'00000000' +
               b'TRAILER!!!\0\0\0\0')
    return bytes(out)


def sections(path):
    data = open(path, 'rb').read()
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    assert data[pe:pe + 4] == b'PE\0\0'
    count = struct.unpack_from('<H', data, pe + 6)[0]
    table = pe + 24 + struct.unpack_from('<H', data, pe + 20)[0]
    out = []
    for i in range(count):
        e = table + 40 * i
        name = data[e:e + 8].rstrip(b'\0').decode('latin-1')
        vsize, _, raw, ptr = struct.unpack_from('<IIII', data, e + 8)
        body = data[ptr:ptr + min(raw, vsize)]
        out.append((name, body + b'\0' * (vsize - len(body)), vsize))
    return out


def pick(secs, profile):
    """base sections, then those of `profile` over them (first of a name wins)"""
    starts = [i for i, s in enumerate(secs) if s[0] == '.profile']
    chosen = {}
    base_end = starts[0] if starts else len(secs)
    for name, body, vsize in secs[:base_end]:
        if name in ORDER and vsize and name not in chosen:
            chosen[name] = body
    if starts:
        if profile >= len(starts):
            sys.exit('profile %d: the UKI has %d' % (profile, len(starts)))
        a = starts[profile]
        b = starts[profile + 1] if profile + 1 < len(starts) else len(secs)
        own = {}
        for name, body, vsize in secs[a:b]:
            if name in ORDER and vsize and name not in own:
                own[name] = body
        chosen.update(own)
    return chosen


def extend(pcr, digest):
    return hashlib.sha256(pcr + digest).digest()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'newc':
        dirname, dmode, fmode, out = args[0], int(args[1], 8), int(args[2], 8), args[3]
        open(out, 'wb').write(newc(dirname, dmode, fmode, args[4:]))
    elif cmd == 'pcr11':
        chosen = pick(sections(args[0]), int(args[1]) if len(args) > 1 else 0)
        pcr = bytes(32)
        for name in ORDER:
            if name in chosen and name != '.pcrsig':
                pcr = extend(pcr, hashlib.sha256(name.encode() + b'\0').digest())
                pcr = extend(pcr, hashlib.sha256(chosen[name]).digest())
        print(pcr.hex())
    elif cmd == 'policy':
        sig = json.load(open(args[0]))['sha256']
        pcr = bytes.fromhex(args[1])
        select = struct.pack('>IHB', 1, 0x000B, 3) + bytes([0, 1 << (11 - 8), 0])
        pol = hashlib.sha256(bytes(32) + struct.pack('>I', 0x17F) + select + hashlib.sha256(pcr).digest()).digest()
        for s in sig:
            if s['pcrs'] == [11] and bytes.fromhex(s['pol']) == pol:
                open(args[2], 'wb').write(pol)
                open(args[3], 'wb').write(base64.b64decode(s['sig']))
                return
        sys.exit('policy: no signature in %s is over PCR 11 = %s (want pol %s; it has %s)' %
                 (args[0], args[1], pol.hex(), ', '.join(s['pol'] for s in sig)))
    elif cmd == 'replay':
        pcr = bytes(32)
        for item in args:
            kind, _, value = item.partition(':')
            if kind == 'f':
                d = hashlib.sha256(open(value, 'rb').read()).digest()
            elif kind == 'u':
                d = hashlib.sha256((value + '\0').encode('utf-16-le')).digest()
            elif kind == 'h':
                d = bytes.fromhex(value)
            else:
                sys.exit('replay: %s: f:, u: or h:' % item)
            pcr = extend(pcr, d)
        print(pcr.hex())
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
