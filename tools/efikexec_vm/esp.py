# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The ESP the firmware's shell runs: efikexec with its words, the kernel's
own EFI stub, systemd-boot or GRUB, or under Secure Boot efikexec's boot
stage with one entry.
"""
import gzip
import os
import shutil
import subprocess
from efikexec_vm.base import ARCHES, KINDS, Refused, probe, probe_is_pe
from efikexec_vm.machine import LOADER_MARK
from efikexec_vm.secureboot import sb_sign


def efikexec_binary(arch, args):
    if args.efikexec:
        path = args.efikexec
    else:
        # the source tree's build (tools/efikexec_vm/ is two folders down),
        # else the package's, beside these modules' folder
        here = os.path.dirname(os.path.realpath(__file__))
        tree = os.path.join(here, "..", "..", "build", arch, "efikexec.efi")
        path = tree if os.path.exists(tree) else os.path.normpath(
            os.path.join(here, "..", f"efikexec{ARCHES[arch]['efi']}.efi"))
    kind = probe(path)
    if kind != ("pe", arch):
        raise Refused(f"{path}: not an EFI application for {arch} (efikexec for this kernel: --efikexec FILE)")
    return path

def build_esp(esp, arch, kind, args, cmdline, sign=None, urls=None):
    """The files and startup.nsh of the shell's run; returns the shell line.
    sign: (key, cert) under Secure Boot, what the firmware and efikexec
    verify signed with it."""
    def put(src, name):
        dst = os.path.join(esp, name)
        if sign:
            sb_sign(src, dst, *sign)
        else:
            shutil.copyfile(src, dst)

    def put_image(name):
        """A gzip'd arm64 Image as the Image inside (the stub runs no gzip
        file; a gzip file carries no signature), signed under Secure Boot."""
        tmp = os.path.join(esp, "linux.img")
        with gzip.open(args.kernel, "rb") as g, open(tmp, "wb") as o:
            shutil.copyfileobj(g, o)
        put(tmp, name)
        os.unlink(tmp)
    initrds = []
    if urls:
        # kernel, initrds and dtb by URL (efikexec fetches them)
        kernel_ref, initrds = urls[0], urls[1:1 + len(args.initrd)]
        dtb_ref = urls[-1] if args.dtb else None
    else:
        for i, path in enumerate(args.initrd, 1):
            shutil.copyfile(path, os.path.join(esp, f"initrd-{i}.img"))
            initrds.append(f"\\initrd-{i}.img")
        if args.dtb:
            shutil.copyfile(args.dtb, os.path.join(esp, "board.dtb"))
        kernel_ref, dtb_ref = "\\vmlinuz", ("\\board.dtb" if args.dtb else None)
    if args.xen:
        # efikexec boots Xen with its modules (Multiboot2 on x86_64, device
        # tree module nodes on arm64): each module's command line starts
        # with its path, as kexec-tools passes it
        put(efikexec_binary(arch, args), "efikexec.efi")
        xname = "xen.gz" if open(args.xen, "rb").read(2) == b"\x1f\x8b" else "xen"
        shutil.copyfile(args.xen, os.path.join(esp, xname))
        words = ["\\efikexec.efi"]
        for i, (path, margs) in enumerate(args.modules, 1):
            shutil.copyfile(path, os.path.join(esp, f"module-{i}"))
            words.append(f'--module="\\module-{i}{" " + shell_text(margs, True) if margs else ""}"')
        words.append(f"\\{xname}")
    elif args.loader in ("systemd-boot", "grub"):
        return peer_loader(esp, arch, kind, args, cmdline, put, put_image, initrds, sign)
    elif args.loader == "stub":
        # the kernel's own EFI stub: a PE the shell starts (Debian's arm64
        # vmlinuz is a gzip'd Image: unpacked)
        if kind == "elf" or (kind == "image" and not probe_is_pe(args.kernel)):
            raise Refused(f"{args.kernel}: an {KINDS[kind]} without an EFI stub: nothing for --loader stub to start")
        if kind == "image-gz":
            put_image("linux.efi")
        else:
            put(args.kernel, "linux.efi")
        if sign:
            # under Secure Boot efikexec's boot stage starts the stub (below)
            put(efikexec_binary(arch, args), "efikexec.efi")
        words = ["\\linux.efi"]
        if args.profile is not None:
            words.append(f"@{args.profile}")
        words += [f"initrd={p}" for p in initrds]
        if args.dtb:
            words.append("dtb=\\board.dtb")
    else:
        put(efikexec_binary(arch, args), "efikexec.efi")
        if urls:
            pass
        elif sign and kind == "image-gz":
            put_image("vmlinuz")
        elif sign and kind not in ("elf",):
            put(args.kernel, "vmlinuz")
        else:
            shutil.copyfile(args.kernel, os.path.join(esp, "vmlinuz"))
        words = ["\\efikexec.efi"] + capture_words(esp, arch, args, put)
        if dtb_ref:
            words.append(f"--dtb={dtb_ref}")
        words.append(kernel_ref)
        if args.profile is not None:
            words.append(f"@{args.profile}")
        words += [f"initrd={p}" for p in initrds]
    if sign:
        return stage_entry(esp, arch, args, words, cmdline, kernel_ref)
    if getattr(args, "plan", False) and words[0] == "\\efikexec.efi":
        words.insert(1, "-v")
    line = " ".join(words + ([shell_text(cmdline)] if cmdline else []))
    with open(os.path.join(esp, "startup.nsh"), "w", newline="\r\n") as f:
        # no echo: only what the programs print; power off if they return
        f.write(f"@echo -off\nfs0:\necho {LOADER_MARK}\n{line}\nreset -s\n")
    return line


PEERS = {
    # the loader's file (systemd-boot) or GRUB's module folder, as Debian's
    # systemd-boot-efi and grub-efi-*-bin install them
    "systemd-boot": {"x86_64": "/usr/lib/systemd/boot/efi/systemd-bootx64.efi",
                     "aarch64": "/usr/lib/systemd/boot/efi/systemd-bootaa64.efi"},
    "grub": {"x86_64": "/usr/lib/grub/x86_64-efi", "aarch64": "/usr/lib/grub/arm64-efi"},
}


def peer_from(arch, args):
    """The peer loader's file or GRUB's modules, checked: --loader-from, else Debian's place."""
    path = args.loader_from or PEERS[args.loader][arch]
    pkg = {"systemd-boot": "systemd-boot-efi", "grub": f"grub-efi-{'amd64' if arch == 'x86_64' else 'arm64'}-bin"}
    if args.loader == "systemd-boot":
        if not os.path.isfile(path):
            raise Refused(f"--loader systemd-boot: no {path} (Debian: {pkg['systemd-boot']}; or --loader-from FILE)")
        if probe(path) != ("pe", arch):
            raise Refused(f"--loader-from {path}: not an EFI application for {arch}")
    else:
        if not os.path.isfile(os.path.join(path, "linux.mod")):
            raise Refused(f"--loader grub: no GRUB modules for {arch} in {path} (Debian: {pkg['grub']}, for "
                          f"the other architecture unpacked with dpkg-deb -x; --loader-from DIR)")
        if not shutil.which("grub-mkstandalone"):
            raise Refused("--loader grub needs grub-mkstandalone (Debian: grub-common)")
    return path


def grub_words(cmdline):
    """A command line as words of grub.cfg: each argument as the kernel
    splits it (double quotes group), its quotes taken off, single-quoted
    for GRUB's parser. GRUB's linux command joins its words with spaces and
    puts double quotes around a word with a space in it again
    (grub-core/lib/cmdline.c), so the kernel sees each argument as meant,
    though not always in the same spelling."""
    out, word, quoted, started = [], "", False, False
    for c in (cmdline or "") + " ":
        if c == '"':
            quoted, started = not quoted, True
        elif c.isspace() and not quoted:
            if started:
                out.append("'" + word.replace("'", "'\\''") + "'")
            word, started = "", False
        else:
            word, started = word + c, True
    return " ".join(out)


def peer_loader(esp, arch, kind, args, cmdline, put, put_image, initrds, sign):
    """The ESP for another loader, for a comparison (--loader systemd-boot
    or grub): the kernel (a gzip'd arm64 Image unpacked for systemd-boot,
    which starts the kernel's EFI stub) or UKI, its initrds and one entry;
    the shell starts the loader, or under Secure Boot the firmware does, as
    its removable-media loader."""
    src = peer_from(arch, args)
    if kind == "elf" or (args.loader == "systemd-boot" and kind == "image" and not probe_is_pe(args.kernel)):
        raise Refused(f"{args.kernel}: an {KINDS[kind]} without an EFI stub: {args.loader} starts only EFI images")
    uki = kind == "uki"
    if uki:
        os.makedirs(os.path.join(esp, "EFI", "Linux"))
        put(args.kernel, os.path.join("EFI", "Linux", "vm.efi"))
    elif kind == "image-gz" and (args.loader == "systemd-boot" or sign):
        put_image("vmlinuz")
    else:
        put(args.kernel, "vmlinuz")
    boot = os.path.join("EFI", "BOOT", ARCHES[arch]["boot"]) if sign else os.path.join(
        "EFI", args.loader, f"{args.loader}{ARCHES[arch]['efi']}.efi")
    os.makedirs(os.path.join(esp, os.path.dirname(boot)), exist_ok=True)
    if args.loader == "systemd-boot":
        put(src, boot)
        os.makedirs(os.path.join(esp, "loader", "entries"))
        with open(os.path.join(esp, "loader", "loader.conf"), "w") as f:
            f.write("timeout 0\n")
        if not uki:
            lines = ["title efikexec-vm", "linux /vmlinuz"] + [f"initrd {p.replace(chr(92), '/')}" for p in initrds]
            if args.dtb:
                lines.append("devicetree /board.dtb")
            if cmdline:
                lines.append(f"options {cmdline}")
            with open(os.path.join(esp, "loader", "entries", "efikexec-vm.conf"), "w") as f:
                f.write("\n".join(lines) + "\n")
            entry = "; ".join(lines[1:])
    else:
        cfg = os.path.join(esp, "grub.cfg.in")
        with open(cfg, "w") as f:
            f.write("set timeout=0\nsearch --no-floppy --file --set=root /efikexec-vm.id\nmenuentry efikexec-vm {\n")
            if uki:
                f.write("  chainloader /EFI/Linux/vm.efi\n")
            else:
                f.write(f"  linux /vmlinuz {grub_words(cmdline)}\n")
                if initrds:
                    f.write(f"  initrd {' '.join(p.replace(chr(92), '/') for p in initrds)}\n")
                if args.dtb:
                    f.write("  devicetree /board.dtb\n")
            f.write("}\n")
        with open(cfg) as f:
            entry = "; ".join(l.strip() for l in f.read().splitlines()[3:-1])
        open(os.path.join(esp, "efikexec-vm.id"), "w").close()
        image = os.path.join(esp, "grub.efi")
        fmt = "x86_64-efi" if arch == "x86_64" else "arm64-efi"
        r = subprocess.run(["grub-mkstandalone", "-O", fmt, "-d", src, "-o", image,
                            "--modules=part_gpt part_msdos fat search linux chain normal gzio",
                            f"boot/grub/grub.cfg={cfg}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        os.unlink(cfg)
        if r.returncode:
            raise Refused(f"grub-mkstandalone could not build GRUB from {src}: {r.stdout.strip()}")
        put(image, boot)
        os.unlink(image)
    if uki:
        entry = "the UKI \\EFI\\Linux\\vm.efi" + (" (chainloader)" if args.loader == "grub" else "")
    if sign:
        return f"{args.loader} ({src}), signed, is the disk's loader; the entry {entry}"
    line = "\\" + boot.replace("/", "\\") + f" (from {src}; the entry {entry})"
    with open(os.path.join(esp, "startup.nsh"), "w", newline="\r\n") as f:
        f.write(f"@echo -off\nfs0:\necho {LOADER_MARK}\n\\{boot.replace('/', chr(92))}\nreset -s\n")
    return line


def capture_words(esp, arch, args, put):
    """efikexec's --capture-* words, the capture kernel and its initrds put
    on the ESP (the kernel signed under Secure Boot)."""
    if not args.capture:
        return []
    put(args.capture_kernel, "capture-kernel")
    words = ["--capture-kernel=\\capture-kernel"]
    for i, path in enumerate(args.capture_initrd, 1):
        shutil.copyfile(path, os.path.join(esp, f"capture-{i}.img"))
        words.append(f"--capture-initrd=\\capture-{i}.img")
    # one CPU and a reset after a panic of its own (docs/DESIGN.md)
    words.append(f'--capture-append="console={ARCHES[arch]["console"]} nr_cpus=1 panic=-1"')
    words.append(f"--capture-size={args.capture_size}")
    return words


def stage_entry(esp, arch, args, words, cmdline, kernel_ref):
    """Under Secure Boot the firmware's own shell is not signed with the
    enrolled keys (OVMF's and AAVMF's .ms builds refuse to start it:
    "Security Violation"), so efikexec, signed, is the removable-media
    loader and boots one Boot Loader Specification entry: the kernel
    (`linux`), or the kernel's stub as an `efi` program with the stub's
    words as its options. Returns the entry, as the shell line is."""
    os.makedirs(os.path.join(esp, "EFI", "BOOT"))
    os.rename(os.path.join(esp, "efikexec.efi"), os.path.join(esp, "EFI", "BOOT", ARCHES[arch]["boot"]))
    os.makedirs(os.path.join(esp, "loader", "entries"))
    with open(os.path.join(esp, "loader", "loader.conf"), "w") as f:
        f.write("timeout 0\n")
    lines = ["title efikexec-vm"]
    if args.loader == "stub":
        lines += ["efi /linux.efi", "options " + " ".join(words[1:] + ([cmdline] if cmdline else []))]
    else:
        # (a URL as the entry takes it: its pin after a plain #)
        lines.append(f"linux {kernel_ref.replace(chr(92), '/').replace('^#', '#')}")
        lines += [f"initrd {w[len('initrd='):].replace(chr(92), '/').replace('^#', '#')}" for w in words
                  if w.startswith("initrd=")]
        dtb = [w[len("--dtb="):] for w in words if w.startswith("--dtb=")]
        if dtb:
            lines.append(f"devicetree {dtb[0].replace(chr(92), '/').replace('^#', '#')}")
        if cmdline:
            lines.append(f"options {cmdline}")
    if args.capture or getattr(args, "plan", False):
        # crash capture has no entry key: efikexec.conf beside efikexec.efi
        # (efikexec.conf(5)) arms it for every entry; --plan: log-level
        with open(os.path.join(esp, "EFI", "BOOT", "efikexec.conf"), "w") as f:
            if getattr(args, "plan", False):
                f.write("log-level info\n")
            for w in words:
                if w.startswith("--capture-"):
                    key, val = w[2:].split("=", 1)
                    key = "capture-options" if key == "capture-append" else key
                    f.write(f"{key} {val.strip(chr(34)).replace(chr(92), '/')}\n")
    with open(os.path.join(esp, "loader", "entries", "efikexec-vm.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return "the entry " + "; ".join(lines[1:])


def shell_text(text, quoted=False):
    """Text as the UEFI shell passes it on: # escaped (^#), else it starts
    a comment; a double quote cannot be passed inside a quoted word (the
    shell passes the line's own quotes on as they are)."""
    if quoted and '"' in text:
        raise Refused(f"{text}: a double quote inside a module's command line cannot reach efikexec through "
                      "the firmware's shell")
    return text.replace("^", "^^").replace("#", "^#")
