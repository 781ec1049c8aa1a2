# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The QEMU command line, and the console: the user's terminal or standard
output and a log, the shell's countdown key, the stages' times, QMP, and
how the guest ended.
"""
import json
import os
import re
import select
import shlex
import socket
import subprocess
import sys
import termios
import time
import tty
from efikexec_vm.base import (ARCHES, EXIT_ERROR, EXIT_NO_KERNEL, EXIT_PANIC, EXIT_POWEROFF, EXIT_QUIT,
    EXIT_RESET, EXIT_TIMEOUT, EXIT_HALTED, EXIT_NOT_READY, parse_size, say)
from efikexec_vm.capture import DUMP_SERIAL, READY_LINE, SAVED_LINE


def kvm_usable(arch):
    return os.uname().machine == arch and os.access("/dev/kvm", os.R_OK | os.W_OK)


def qemu_command(arch, fw, vars_path, drive, args, serial, tpm_sock, kvm):
    """QEMU's arguments; with --net a virtio NIC on QEMU's user network
    (no option ROM: the firmware's own driver), IPv4 only."""
    a = ARCHES[arch]
    feats = fw.get("features", [])
    machine = a["machine"] + (",smm=on" if "requires-smm" in feats else "")
    cmd = [a["qemu"], "-machine", machine, "-accel", "kvm" if kvm else "tcg", "-m", args.memory,
           "-smp", str(args.cpus)]
    if kvm:
        cmd += ["-cpu", "host"]
    elif arch == "x86_64":
        # QEMU 7.2's TCG gets cmpxchg16b's flags wrong now and then (the
        # project's finding, docs/TESTING.md): the guest CPU without CX16;
        # Xen's PV dom0 under TCG also without SMAP and SMEP (the project's
        # Xen tests' finding: dom0 faults with them)
        cmd += ["-cpu", "max,-cx16" + (",-smap,-smep" if args.xen else "")]
    else:
        # pointer authentication with QEMU's own algorithm, not QARMA5:
        # the same instructions and keys for the guest, but QARMA5 under
        # TCG made Debian's 6.1 arm64 kernel (built with pac-ret) take 8.1 s
        # to its /init against 2.8 s (docs/TESTING.md, "Measured")
        cmd += ["-cpu", "max,pauth-impdef=on"]
        if args.xen:
            # Xen on arm64 runs at EL2, with the device tree (no ACPI)
            cmd[2] = "virt,acpi=off,virtualization=on"
    m = fw["mapping"]
    if m["device"] == "memory":
        # a firmware loaded into memory (-bios), as U-Boot's UEFI is: its
        # variables, if any, are its own business (U-Boot: a file on the ESP)
        cmd += ["-bios", m["filename"]]
    else:
        code_fmt = m["executable"].get("format", "raw")
        cmd += ["-drive", f"if=pflash,format={code_fmt},unit=0,readonly=on,file={m['executable']['filename']}"]
        # no front-page wait: EDK II's QEMU platforms take their boot
        # timeout from QEMU's "etc/boot-menu-wait" (QemuBootOrderLib's
        # GetFrontPageTimeoutFromQemu), else from the build's
        # PcdPlatformBootTimeOut - 5 s of idle "press ESC" in AAVMF before
        # each shell, 0 in OVMF. splash-time=0 writes that file as 0 (it is
        # written only with menu=on); a later -boot in --qemu-arg wins.
        cmd += ["-boot", "menu=on,splash-time=0"]
    if vars_path:
        vfmt = m.get("nvram-template", {}).get("format", "raw")
        cmd += ["-drive", f"if=pflash,format={vfmt},unit=1,file={vars_path}"]
    if "requires-smm" in feats:
        cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on", "-global", "ICH9-LPC.disable_s3=1"]
    if drive:
        cmd += ["-drive", f"if=none,id=disk0,format=raw,file={drive}",
                "-device", "virtio-blk-pci,drive=disk0,bootindex=0"]
    if args.capture:
        # the dump disk, which the capture kernel's initramfs finds by its serial
        cmd += ["-drive", f"if=none,id=dump,format=raw,file={args.dump}",
                "-device", f"virtio-blk-pci,drive=dump,serial={DUMP_SERIAL}"]
    # the serial port: a TCP server of QEMU's on 127.0.0.1 that waits for
    # us (nothing of the firmware's output comes before); telnet, so that a
    # serial break (SysRq) can be sent as IAC BREAK (QEMU parses telnet on
    # a server only). TCP, not a Unix socket: the UART writes a byte at a
    # time, and a Unix socket's send buffer counts each write's whole
    # buffer, so it holds a few hundred bytes and QEMU's 16550 drops bytes
    # after its retries when we are a moment late; TCP joins small writes
    cmd += ["-chardev", f"socket,id=ser0,host=127.0.0.1,port={serial['port']},server=on,wait=on,telnet=on",
            "-serial", "chardev:ser0"]
    if tpm_sock:
        cmd += ["-chardev", f"socket,id=chrtpm,path={tpm_sock}", "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                "-device", f"{a['tpm']},tpmdev=tpm0"]
    if args.net:
        cmd += ["-netdev", "user,id=n0,ipv6=off", "-device", "virtio-net-pci,netdev=n0,romfile="]
    else:
        cmd += ["-net", "none"]
    cmd += ["-nodefaults", "-display", "none", "-monitor", "none"]
    if args.pcrs:
        # the guest's power-off stops the machine, QEMU stays: the RAM is
        # read and QEMU killed, so that it does not end swtpm (QEMU sends a
        # TPM emulator CMD_SHUTDOWN as it exits, and swtpm's PCRs go)
        cmd += ["-no-shutdown", "-qmp", f"unix:{os.path.join(serial['dir'], 'qmp.sock')},server=on,wait=off"]
    if not (args.capture or args.reboot):
        # a reset ends the run; with --capture the crash's reset starts the
        # firmware again, RAM kept, and efikexec enters the capture kernel
        cmd.append("-no-reboot")
    for q in args.qemu_arg:
        cmd += shlex.split(q)
    return cmd



LOADER_MARK = "efikexec-vm: the shell starts the loader"
ESCAPES = re.compile(rb"\x1b\[[0-9;?=]*[A-Za-z]")
# the stages --time reports, each the first line that matches
STAGES = [
    ("firmware", re.compile(r".")),
    ("loader", re.compile(r"^efikexec-vm: the shell starts the loader|^efikexec( \d|: )")),
    ("kernel", re.compile(r"^\[\s*0\.000000\] ")),
    ("init", re.compile(r"Run \S+ as init process|^EFIKEXEC-INIT: started")),
]


class Console:
    """The guest's serial port: to the user's terminal as it is, else to
    stdout without CRs and escapes, always to the log; one key to each
    shell countdown; the lines that tell the boot's stages and its end."""

    def __init__(self, sock, log, terminal, quiet, crash_on=None, watch=None):
        self.sock, self.log, self.terminal, self.quiet = sock, log, terminal, quiet
        # texts whose first line is an event: --end-on, --halted-on, --ready
        self.watch = {k: v for k, v in (watch or {}).items() if v}
        self.tail, self.line = b"", b""
        self.times, self.events = {}, {}
        self.t0 = time.monotonic()
        self.telnet = b""       # what is left of QEMU's telnet options
        self.crash_on, self.sysrq_at = crash_on, None

    def feed(self, data):
        # QEMU's telnet server starts with its options (IAC WILL/DO ...):
        # not the guest's output
        data = self.telnet + data
        while data[:1] == b"\xff":
            if len(data) < 3:
                self.telnet = data
                return
            data = data[3:]
        self.telnet = b""
        if not data:
            return
        self.log.write(data)
        self.log.flush()
        if self.terminal:
            os.write(sys.stdout.fileno(), data)
        # the shell's "Press ESC in 5 seconds to skip startup.nsh": a key
        seen = (self.tail + data).count(b"seconds to skip") - self.tail.count(b"seconds to skip")
        if seen > 0:
            self.send_keys(b" " * seen)
        self.tail = (self.tail + data)[-64:]
        for raw in (self.line + data).split(b"\n")[:-1]:
            self.lineout(raw)
        self.line = (self.line + data).split(b"\n")[-1]
        if self.watch and self.line:
            # a menu or a prompt draws without ending its line: the watched
            # texts are looked for in what there is of it too
            self.watching(ESCAPES.sub(b"", self.line[-4096:]).replace(b"\r", b"").decode("utf-8", "replace"))

    def watching(self, text):
        for name, key in self.watch.items():
            if key in text and name not in self.events:
                self.events[name] = time.monotonic() - self.t0

    def lineout(self, raw):
        text = ESCAPES.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")
        now = time.monotonic() - self.t0
        for name, rx in STAGES:
            if name not in self.times and rx.search(text):
                self.times[name] = now
        for name, key in (("panic", "Kernel panic - not syncing"), ("reset", "reboot: Restarting system"),
                          ("poweroff", "reboot: Power down"), ("linux", "Linux version "),
                          ("halted", "Hardware Dom0 halted: halting machine"), ("ready", READY_LINE),
                          ("saved", SAVED_LINE)):
            if key in text and name not in self.events:
                self.events[name] = now
        self.watching(text)
        if READY_LINE in text and "efi_pstore: no" in text:
            say("the main kernel has no efi_pstore: its crash leaves no record, and efikexec will take the "
                "restart for a clean one (nothing captured)")
        if self.crash_on and self.crash_on in text and "sysrq" not in self.events:
            # --crash: SysRq C, as a serial console takes it: a break, then
            # the key within 5 s (drivers/tty/serial/serial_core.c,
            # uart_handle_break); the key a moment later, so that the UART
            # does not report it with the break's status still set
            self.events["sysrq"] = now
            self.break_line()
            self.sysrq_at = time.monotonic() + 0.5
        if not self.terminal and not self.quiet:
            print(text, flush=True)

    def break_line(self):
        self.sock.sendall(b"\xff\xf3")   # telnet IAC BREAK: QEMU sends the UART a break

    def send_keys(self, keys):
        self.sock.sendall(keys.replace(b"\xff", b"\xff\xff"))

    def due(self):
        """The SysRq key after its break, when its time has come."""
        if self.sysrq_at and time.monotonic() >= self.sysrq_at:
            self.sysrq_at = None
            self.send_keys(b"c")

    def finish(self):
        if self.line:
            self.lineout(self.line)
            self.line = b""


class Qmp:
    """QEMU's machine protocol: its events, and a command now and then."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            # QEMU opens it as it starts: a moment
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            self.sock.connect(path)
        self.buf, self.events = b"", []
        self.next()                      # the greeting
        self.execute("qmp_capabilities")

    def next(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise OSError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def pending(self):
        """The events read so far, after reading what is there."""
        data = self.sock.recv(65536)
        if not data:
            raise OSError("QMP closed")
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" in msg:
                self.events.append(msg["event"])
        return self.events

    def execute(self, command, **arguments):
        self.sock.sendall(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        while True:
            msg = self.next()
            if "event" in msg:
                self.events.append(msg["event"])
            elif "error" in msg:
                raise OSError(f"QMP {command}: {msg['error'].get('desc')}")
            elif "return" in msg:
                return msg["return"]


def guest_ram(arch, memory):
    """(base, size) of the guest's RAM to search for the event log: q35's
    RAM below 4 GiB (up to 2 GiB of it when there is more), virt's from
    1 GiB on."""
    size = parse_size(memory)
    return (0, min(size, 2 << 30)) if arch == "x86_64" else (0x40000000, size)


def run_vm(cmd, serial, console_args, timeout, terminal):
    """Runs QEMU to its end: (how, console)."""
    qlog = open(console_args["qemu_log"], "w")
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog, stderr=qlog)
    for _ in range(400):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.connect(("127.0.0.1", serial["port"]))
            break
        except OSError:
            sock.close()
            if q.poll() is not None:
                return "qemu", None
            time.sleep(0.05)
    else:
        q.kill()
        q.wait()
        return "qemu", None
    qmp = None
    if console_args.get("ram_dump"):
        try:
            qmp = Qmp(os.path.join(serial["dir"], "qmp.sock"))
        except (OSError, ValueError) as e:
            say(f"--pcrs: no QMP connection to QEMU ({e}): the PCRs will not be read")
    con = Console(sock, console_args["log"], terminal, console_args["quiet"], console_args.get("crash_on"),
                  console_args.get("watch"))
    ready_within = console_args.get("ready_within")
    saved = None
    if terminal:
        saved = termios.tcgetattr(sys.stdin.fileno())
        tty.setraw(sys.stdin.fileno())
    how, escape = None, False
    try:
        while how is None:
            wait = [sock] + ([sys.stdin] if terminal else []) + ([qmp.sock] if qmp else [])
            ready, _, _ = select.select(wait, [], [], 0.2)
            if qmp and qmp.sock in ready:
                try:
                    if "SHUTDOWN" in qmp.pending():
                        how = "shutdown"    # powered off; the machine stopped (-no-shutdown)
                except (OSError, ValueError):
                    qmp = None
            if sock in ready:
                data = sock.recv(65536)
                if not data:
                    how = "closed"
                    break
                con.feed(data)
            if terminal and sys.stdin in ready:
                keys = os.read(sys.stdin.fileno(), 64)
                out = b""
                for k in keys:
                    if escape:
                        escape = False
                        if k in (ord("x"), ord("X")):
                            how = "quit"
                            break
                        if k in (ord("b"), ord("B")):
                            # a serial break (with a key after it: SysRq)
                            con.send_keys(out)
                            out = b""
                            con.break_line()
                            continue
                        out += b"\x01" + bytes([k]) if k != 1 else b"\x01"
                    elif k == 1:    # Ctrl-A
                        escape = True
                    else:
                        out += bytes([k])
                if out:
                    con.send_keys(out)
            con.due()
            now = time.monotonic() - con.t0
            if "end" in con.events:
                how = "end"         # --end-on TEXT
            elif "halt-text" in con.events and now - con.events["halt-text"] > 5:
                how = "halt-text"   # --halted-on TEXT, and still running 5 s later
            elif ready_within and now > ready_within and "ready" not in con.events:
                how = "not-ready"   # --ready TEXT not seen in time
            elif "panic" in con.events and now - con.events["panic"] > 5 and not console_args.get("reboot"):
                # (with --capture or --reboot the panic resets the machine:
                # the capture kernel, or whatever comes next, runs)
                how = "panic"
            elif "halted" in con.events and now - con.events["halted"] > 2:
                # Xen halts the machine when dom0 powers off: stopped here
                how = "halted"
            elif timeout and now > timeout:
                how = "timeout"
    finally:
        if saved:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
        con.finish()
        con.ram = None
        if qmp and q.poll() is None:
            # --pcrs: the RAM read for the event log, then QEMU killed (so
            # it does not shut swtpm down)
            base, size = console_args["ram"]
            try:
                qmp.execute("pmemsave", val=base, size=size, filename=console_args["ram_dump"])
                con.ram = base
            except (OSError, ValueError) as e:
                say(f"--pcrs: the guest's memory could not be read ({e})")
            q.kill()
            q.wait()
            if how == "shutdown":
                q.returncode = 0
        if q.poll() is None and how != "closed":
            q.terminate()
        try:
            q.wait(timeout=10)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
        sock.close()
        qlog.close()
    con.rc = q.returncode
    if qmp:
        qmp.sock.close()
    return how, con


def verdict(how, con):
    """The exit status and the line that says how the guest ended."""
    if how == "qemu":
        return EXIT_ERROR, "QEMU did not start"
    if how == "quit":
        return EXIT_QUIT, "quit (Ctrl-A X)"
    if how == "end":
        return EXIT_POWEROFF, "the console showed the --end-on text; stopped"
    if how == "halt-text":
        return EXIT_HALTED, "the guest halted (the --halted-on text, and still running 5 s later); stopped"
    if how == "not-ready":
        return EXIT_NOT_READY, "the --ready text did not come in time; stopped"
    if "panic" in con.events:
        return EXIT_PANIC, "the guest's kernel panicked"
    if how == "timeout":
        return EXIT_TIMEOUT, "timed out"
    if "halted" in con.events and how in ("halted", "closed"):
        return EXIT_POWEROFF, "dom0 powered off and Xen halted the machine"
    if con.rc != 0:
        return EXIT_ERROR, f"QEMU failed (status {con.rc})"
    if "reset" in con.events:
        return EXIT_RESET, "the guest reset"
    if "linux" not in con.events and "kernel" not in con.times:
        return EXIT_NO_KERNEL, "the firmware powered off without a kernel having started (see the log)"
    return EXIT_POWEROFF, "the guest powered off"
