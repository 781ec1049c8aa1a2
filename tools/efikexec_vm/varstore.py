# SPDX-License-Identifier: BSD-2-Clause-Patent
"""EDK II's variable store on QEMU's second pflash: a variable added to a
store efikexec-vm makes from a template, before the firmware first runs.

The one it adds is the shell's ShellOpt, "-delay 0". The firmware's shell
counts down before startup.nsh, and each second of the countdown is a busy
gBS->Stall(1000000) before it looks for a key (ShellPkg's Shell.c,
DoStartupScript), so the key efikexec-vm sends saves the other four
seconds but never the first. The root shell takes its options from the
non-volatile variable ShellOpt of gShellVariableGuid when its load options
are empty (Shell.c, CreatePopulateInstallShellParametersProtocol), as they
are when the firmware boots it from its own boot option; the first word is
the program's name, skipped as argv[0] is.

The formats (MdeModulePkg/Include/Guid/VariableFormat.h, the PI spec's
EFI_FIRMWARE_VOLUME_HEADER): the store is a firmware volume whose
FileSystemGuid is gEfiSystemNvDataFvGuid; after its header the variable
store header (the authenticated or the plain format's GUID, its size,
formatted 0x5a, healthy 0xfe); then the variables, each a header (60 bytes
authenticated, 32 plain), the UCS-2 name with its NUL, the data, the next
header 4-aligned; 0xff where none was written (the flash's erased state).
"""
import os
import struct
import uuid

SHELL_VARIABLE_GUID = uuid.UUID("158def5a-f656-419c-b027-7a3192c079d2")   # ShellPkg.dec
SYSTEM_NV_DATA_FV_GUID = uuid.UUID("fff12b8d-7696-4c8b-a985-2747075b4f50")
AUTHENTICATED_VARIABLE_GUID = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
VARIABLE_GUID = uuid.UUID("ddcf3616-3275-4164-98b6-fe85707ffe7d")
NON_VOLATILE, BOOTSERVICE_ACCESS = 0x1, 0x2
VAR_ADDED = 0x3f
START_ID = 0x55aa
FV_HEADER = struct.Struct("<16s16sQ4sIHHHBB")   # up to the block map
STORE_HEADER = struct.Struct("<16sIBBHI")
AUTH_VAR = struct.Struct("<HBBIQ16sIII16s")   # StartId .. VendorGuid: 60 bytes
PLAIN_VAR = struct.Struct("<HBBIII16s")       # 32 bytes

# AAVMF's template is all zeros: its flash driver (OvmfPkg/VirtNorFlashDxe,
# VirtNorFlashFvb.c) finds no valid header at its first start, erases the
# variable store and both fault-tolerant-write areas, and writes the two
# headers. Its sizes are ArmVirtQemu's PcdFlashNvStorage{Variable,
# FtwWorking,FtwSpare}Size (256 KiB each); the block map covers the whole
# 64 MiB flash in QEMU virt's 256 KiB sectors (hw/arm/virt.c). Had a build
# other sizes, its driver would find our header wrong and format the store
# again: the variable lost, the countdown back, nothing else changed.
VIRT_FLASH_SIZE = 64 << 20
VIRT_SECTOR = 256 << 10
VIRT_NV_SIZE = 256 << 10
VIRT_FV_LENGTH = 3 * VIRT_NV_SIZE


def _sum16(b):
    return sum(struct.unpack(f"<{len(b) // 2}H", b)) & 0xffff


def virt_fv_headers():
    """The headers VirtNorFlashDxe writes on an erased store: the FV header
    with its block map and checksum, the authenticated store's header."""
    # EFI_FVB2_READ_ENABLED_CAP, READ_STATUS, STICKY_WRITE, MEMORY_MAPPED,
    # ERASE_POLARITY, WRITE_STATUS, WRITE_ENABLED_CAP (PiFirmwareVolume.h)
    attrs = 0x2 | 0x4 | 0x200 | 0x400 | 0x800 | 0x20 | 0x10
    hlen = FV_HEADER.size + 16
    fv = bytearray(FV_HEADER.pack(bytes(16), SYSTEM_NV_DATA_FV_GUID.bytes_le, VIRT_FV_LENGTH, b"_FVH", attrs,
                                  hlen, 0, 0, 0, 2))
    fv += struct.pack("<IIII", VIRT_FLASH_SIZE // VIRT_SECTOR, VIRT_SECTOR, 0, 0)
    struct.pack_into("<H", fv, 50, (-_sum16(bytes(fv))) & 0xffff)
    store = STORE_HEADER.pack(AUTHENTICATED_VARIABLE_GUID.bytes_le, VIRT_NV_SIZE - hlen, 0x5a, 0xfe, 0, 0)
    return bytes(fv) + store


def _layout(head):
    """(offset of the first variable, end of the store, authenticated) of a
    formatted store, or a reason why it is not one."""
    if len(head) < FV_HEADER.size + 16 + STORE_HEADER.size:
        return "too short for a firmware volume"
    _, fs, fvlen, sig, _, hlen, _, _, _, _ = FV_HEADER.unpack_from(head, 0)
    if sig != b"_FVH" or uuid.UUID(bytes_le=fs) != SYSTEM_NV_DATA_FV_GUID:
        return "no variable store's firmware volume header"
    if hlen % 2 or hlen < FV_HEADER.size + 8 or hlen + STORE_HEADER.size > len(head):
        return f"its firmware volume header's length {hlen} is wrong"
    if _sum16(head[:hlen]) != 0:
        return "its firmware volume header's checksum is wrong"
    sg, size, fmt, state, _, _ = STORE_HEADER.unpack_from(head, hlen)
    sg = uuid.UUID(bytes_le=sg)
    if sg not in (AUTHENTICATED_VARIABLE_GUID, VARIABLE_GUID) or fmt != 0x5a or state != 0xfe:
        return "its variable store is not formatted and healthy"
    if hlen + size > fvlen:
        return f"its variable store ({size} bytes) is larger than its firmware volume ({fvlen})"
    return hlen + STORE_HEADER.size, hlen + size, sg == AUTHENTICATED_VARIABLE_GUID


def _variables(data, start, end, auth):
    """(state, name, guid, offset of the next header) of each variable
    written."""
    hdr = AUTH_VAR if auth else PLAIN_VAR
    off = start
    while off + hdr.size <= end:
        f = hdr.unpack_from(data, off)
        if f[0] != START_ID:
            return
        state, ns, ds, guid = f[1], f[-3], f[-2], f[-1]
        nxt = off + hdr.size + ns + ds
        if nxt > end or ns < 2:
            raise ValueError(f"a variable at {off:#x} runs past the store's end")
        name = data[off + hdr.size:off + hdr.size + ns].decode("utf-16-le", "replace").rstrip("\0")
        off = nxt + (-nxt % 4)
        yield state, name, uuid.UUID(bytes_le=guid), off


def add_variable(path, name, guid, attrs, value, arch=None):
    """Adds a non-authenticated variable to the store in path, in place.
    None when done, else why not (the store left as it was)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(min(size, 1 << 20))
    except OSError as e:
        return e.strerror
    fmt = b""
    if arch == "aarch64" and size == VIRT_FLASH_SIZE and head[:VIRT_FV_LENGTH].count(0) == VIRT_FV_LENGTH:
        # AAVMF's unformatted template: formatted as its driver would
        fmt = virt_fv_headers()
        head = fmt + b"\xff" * (VIRT_FV_LENGTH - len(fmt))
    lay = _layout(head)
    if isinstance(lay, str):
        return lay
    start, end, auth = lay
    if end > len(head):
        return "its variable store is larger than 1 MiB"
    off = start
    try:
        for state, n, g, nxt in _variables(head, start, end, auth):
            if state == VAR_ADDED and n == name and g == guid:
                return f"it holds {name} already"
            off = nxt
    except ValueError as e:
        return str(e)
    n = (name + "\0").encode("utf-16-le")
    if auth:
        # no monotonic count, time stamp or public key: not authenticated
        rec = AUTH_VAR.pack(START_ID, VAR_ADDED, 0, attrs, 0, bytes(16), 0, len(n), len(value), guid.bytes_le)
    else:
        rec = PLAIN_VAR.pack(START_ID, VAR_ADDED, 0, attrs, len(n), len(value), guid.bytes_le)
    rec += n + value
    if off + len(rec) > end or head[off:off + len(rec)].count(0xff) != len(rec):
        return f"no room for {name} in its variable store"
    with open(path, "r+b") as f:
        if fmt:
            f.write(head[:VIRT_FV_LENGTH])
        f.seek(off)
        f.write(rec)
    return None


def shell_without_countdown(path, arch):
    """ShellOpt "-delay 0" in the store in path (see the top); None when
    done, else why not."""
    value = "Shell -delay 0".encode("utf-16-le") + b"\0\0"
    return add_variable(path, "ShellOpt", SHELL_VARIABLE_GUID, NON_VOLATILE | BOOTSERVICE_ACCESS, value, arch)
