# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Which firmware: QEMU's firmware descriptors, read as libvirt and
systemd-vmspawn read them.
"""
import json
import os
from efikexec_vm.base import Refused


def descriptor_dirs():
    """Where QEMU's firmware descriptors live, lowest priority first
    (QEMU's docs/interop/firmware.json: a file in a later folder hides the
    file of the same name in an earlier one)."""
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return ["/usr/share/qemu/firmware", "/etc/qemu/firmware", os.path.join(home, "qemu", "firmware")]


def read_descriptor(path):
    try:
        with open(path) as f:
            d = json.load(f)
    except OSError as e:
        raise Refused(f"{path}: {e.strerror}")
    except ValueError as e:
        raise Refused(f"{path}: not a firmware descriptor (JSON: {e})")
    if not isinstance(d, dict) or not isinstance(d.get("mapping"), dict):
        raise Refused(f"{path}: not a firmware descriptor (no \"mapping\")")
    d["_path"] = path
    return d


def descriptor_fits(d, arch, secure_boot=False):
    """None when d boots arch as asked; else why not."""
    if "uefi" not in d.get("interface-types", []):
        return "not UEFI"
    if arch not in [t.get("architecture") for t in d.get("targets", [])]:
        return f"not for {arch}"
    m = d["mapping"]
    if not (m.get("device") == "flash" and "executable" in m) and not (m.get("device") == "memory"
                                                                        and "filename" in m):
        return f"mapping device {m.get('device')!r} (flash and memory are used)"
    feats = d.get("features", [])
    if secure_boot and not ("secure-boot" in feats and "enrolled-keys" in feats):
        return "no Secure Boot with enrolled keys"
    return None


def choose_firmware(arch, args):
    if args.firmware:
        d = read_descriptor(args.firmware)
        why = descriptor_fits(d, arch, args.secure_boot)
        if why:
            raise Refused(f"--firmware {args.firmware}: {why}")
        return d
    found = {}
    for folder in descriptor_dirs():
        try:
            for name in os.listdir(folder):
                if name.endswith(".json"):
                    found[name] = os.path.join(folder, name)
        except OSError:
            continue
    fits, why_not = [], []
    for name in sorted(found):
        try:
            d = read_descriptor(found[name])
        except Refused as e:
            why_not.append(str(e))
            continue
        why = descriptor_fits(d, arch, args.secure_boot)
        (why_not.append(f"{found[name]}: {why}") if why else fits.append(d))
    if not fits:
        want = f"UEFI for {arch}" + (" with Secure Boot and enrolled keys" if args.secure_boot else "")
        raise Refused(f"no firmware descriptor offers {want} (looked in {', '.join(descriptor_dirs())}"
                      + (f"; {'; '.join(why_not)}" if why_not else "") + ")")
    if args.secure_boot:
        return fits[0]
    # a firmware without Secure Boot and SMM when there is one: efikexec and
    # the kernels here are not signed
    plain = [d for d in fits if not {"secure-boot", "requires-smm"} & set(d.get("features", []))]
    return (plain or fits)[0]
