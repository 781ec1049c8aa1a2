# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The TPM: swtpm for the VM, and what it holds at the end (PCRs, the
event log found in the guest's RAM).
"""
import hashlib
import mmap
import os
import socket
import struct
import subprocess
import time
from efikexec_vm.base import Refused


def start_tpm(state, run, keep=False):
    """swtpm for one VM: it ends when QEMU closes its socket (--terminate),
    or with keep (--pcrs) lives on to be read, and is ended by the caller."""
    os.makedirs(state, exist_ok=True)
    sock = os.path.join(run, "swtpm.sock")
    log = open(os.path.join(run, "swtpm.log"), "w")
    p = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}", "--ctrl",
                          f"type=unixio,path={sock}"] + ([] if keep else ["--terminate"]), stdout=log, stderr=log)
    for _ in range(100):
        if os.path.exists(sock):
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    p.kill()
    raise Refused(f"swtpm did not start (its log: {log.name})")



PCRS = (4, 9, 11, 12)
# TCG PC Client Platform Firmware Profile (TCG2 crypto-agile log): the
# first event's data starts with this signature; its algorithms' sizes
SPEC_ID = b"Spec ID Event03\0"
EV_NO_ACTION = 3
SHA256 = 0x000B


def tpm_command(ctrl_path, body, code, tag=0x8001):
    """One TPM 2.0 command to swtpm after QEMU is gone: a socket pair's end
    handed to it as its data channel (CMD_SET_DATAFD, 16, over the control
    channel, as QEMU hands it one), the command and its answer through the
    other end (tag 0x8001: no sessions). Returns the answer's parameters,
    or raises OSError."""
    ours, theirs = socket.socketpair()
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctl.settimeout(5)
    ours.settimeout(5)
    try:
        ctl.connect(ctrl_path)
        socket.send_fds(ctl, [struct.pack(">I", 16)], [theirs.fileno()])
        res = ctl.recv(4)
        if res != b"\0\0\0\0":
            raise OSError(f"swtpm refused its data channel (result {res.hex() or 'none'})")
        ours.sendall(struct.pack(">HII", tag, 10 + len(body), code) + body)
        answer = ours.recv(4096)
    finally:
        ctl.close()
        theirs.close()
        ours.close()
    if len(answer) < 10:
        raise OSError("no answer from the TPM")
    rc = struct.unpack_from(">I", answer, 6)[0]
    if rc:
        raise OSError(f"the TPM answered {rc:#x}")
    return answer[10:]


def read_pcrs(ctrl_path):
    """{pcr: SHA-256 bank value} of PCRS (TPM2_PCR_Read, 0x17E: TPM 2.0
    Library, Part 3, 22.4)."""
    select = bytearray(3)
    for p in PCRS:
        select[p // 8] |= 1 << (p % 8)
    out = tpm_command(ctrl_path, struct.pack(">IHB", 1, SHA256, 3) + bytes(select), 0x17E)
    off = 4
    nsel = struct.unpack_from(">I", out, off)[0]
    off += 4
    chosen = []
    for _ in range(nsel):
        alg, size = struct.unpack_from(">HB", out, off)
        bits = out[off + 3:off + 3 + size]
        off += 3 + size
        chosen += [i for i in range(size * 8) if bits[i // 8] >> (i % 8) & 1]
    n = struct.unpack_from(">I", out, off)[0]
    off += 4
    vals = {}
    for p in chosen[:n]:
        size = struct.unpack_from(">H", out, off)[0]
        vals[p] = out[off + 2:off + 2 + size].hex()
        off += 2 + size
    return vals


def parse_event_log(mem, start):
    """The crypto-agile event log at start, as far as it parses: (events,
    bytes, {pcr: replayed SHA-256}) or None."""
    try:
        pcr, etype = struct.unpack_from("<II", mem, start)
        size = struct.unpack_from("<I", mem, start + 28)[0]
        if pcr != 0 or etype != EV_NO_ACTION or mem[start + 32:start + 48] != SPEC_ID or size > 4096:
            return None
        nalg = struct.unpack_from("<I", mem, start + 32 + 24)[0]
        if not 0 < nalg <= 8:
            return None
        algs = dict(struct.unpack_from("<HH", mem, start + 60 + 4 * i) for i in range(nalg))
        off, events = start + 32 + size, 1
        replay = {}
        while off + 12 <= len(mem):
            pcr, etype, count = struct.unpack_from("<III", mem, off)
            if pcr >= 24 or count != nalg or etype == 0:
                break
            o = off + 12
            digests = {}
            for _ in range(count):
                alg = struct.unpack_from("<H", mem, o)[0]
                if alg not in algs:
                    break
                digests[alg] = bytes(mem[o + 2:o + 2 + algs[alg]])
                o += 2 + algs[alg]
            else:
                esize = struct.unpack_from("<I", mem, o)[0]
                if esize > (1 << 20):
                    break
                if etype != EV_NO_ACTION and SHA256 in digests:
                    replay[pcr] = hashlib.sha256(replay.get(pcr, bytes(32)) + digests[SHA256]).digest()
                off, events = o + 4 + esize, events + 1
                continue
            break
        return events, off - start, {p: v.hex() for p, v in replay.items()}
    except struct.error:
        return None


def find_event_log(path):
    """The longest event log in a dump of the guest's RAM (the firmware's,
    and the copy the kernel keeps): (offset, events, bytes, replayed)."""
    best = None
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if not size:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mem:
            i = mem.find(SPEC_ID)
            while i >= 0:
                got = parse_event_log(mem, i - 32) if i >= 32 else None
                if got and (not best or got[0] > best[1]):
                    best = (i - 32,) + got
                i = mem.find(SPEC_ID, i + 1)
    return best


def tpm_report(ctrl_path, ram_dump, ram_base):
    """What --pcrs prints: the PCRs, the event log's length, and whether
    the log replays to them."""
    lines = []
    try:
        pcrs = read_pcrs(ctrl_path)
    except OSError as e:
        return [f"--pcrs: the TPM could not be read after the run: {e}"]
    for p in PCRS:
        lines.append(f"PCR {p:2} sha256 {pcrs.get(p, 'not read')}")
    log = find_event_log(ram_dump) if ram_dump and os.path.exists(ram_dump) else None
    if not log:
        return lines + ["the event log: not found in the guest's memory"]
    off, events, nbytes, replay = log
    same = [p for p in PCRS if replay.get(p, "0" * 64) == pcrs.get(p)]
    differ = [p for p in PCRS if p not in same]
    lines.append(f"the event log: {events} events, {nbytes} bytes (at {ram_base + off:#x}); replayed, it gives "
                 + (f"PCR {', '.join(map(str, same))} as the TPM has them" if same else "no PCR as the TPM has it")
                 + (f"; not PCR {', '.join(map(str, differ))}" if differ else ""))
    return lines
