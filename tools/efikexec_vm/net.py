# SPDX-License-Identifier: BSD-2-Clause-Patent
"""The network: the files by URL from a server on 127.0.0.1.
"""
import gzip
import hashlib
import http.server
import os
import shutil
import subprocess
import threading
from efikexec_vm.base import Refused, probe
from efikexec_vm.secureboot import sb_sign


class Quiet(http.server.SimpleHTTPRequestHandler):
    log_file = None

    def log_message(self, fmt, *a):
        if self.log_file:
            self.log_file.write(f"{self.address_string()} {fmt % a}\n")
            self.log_file.flush()


def serve(root, log_path):
    """An HTTP server for root on 127.0.0.1 (QEMU's user network shows it
    to the guest as 10.0.2.2), in a thread: (server, port)."""
    log = open(log_path, "w")
    handler = type("Handler", (Quiet,), {"log_file": log})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                          lambda *a, **k: handler(*a, directory=root, **k))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def net_names(args, run, sign=None):
    """The server's root and, for each file given (kernel, initrds, dtb),
    its path there: --serve DIR as it is (the files must lie in it), else a
    folder of the run's own linking to them. Under Secure Boot (sign) the
    kernel is served signed: in the run's folder a signed copy (a gzip'd
    arm64 Image unpacked first); in --serve DIR it must be signed already."""
    files = [args.kernel] + list(args.initrd) + ([args.dtb] if args.dtb else [])
    if sign and args.serve and subprocess.run(["sbverify", "--cert", sign[1], args.kernel], stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL).returncode:
        raise Refused(f"{args.kernel}: not signed with {sign[1]}, and --serve serves it as it is: sign it "
                      f"(sbsign --key KEY --cert CERT), or drop --serve and a signed copy is served")
    if args.serve:
        root = os.path.realpath(args.serve)
        if not os.path.isdir(root):
            raise Refused(f"--serve {args.serve}: not a folder")
        names = []
        for f in files:
            real = os.path.realpath(f)
            if os.path.commonpath([root, real]) != root:
                raise Refused(f"{f}: not in --serve {args.serve}, which the server serves")
            names.append(os.path.relpath(real, root).replace(os.sep, "/"))
        return root, names
    root = os.path.join(run, "srv")
    os.mkdir(root)
    names = ["vmlinuz"] + [f"initrd-{i}.img" for i in range(1, len(args.initrd) + 1)] + (["board.dtb"] if args.dtb else [])
    for f, n in zip(files, names):
        os.symlink(os.path.realpath(f), os.path.join(root, n))
    if sign:
        os.unlink(os.path.join(root, "vmlinuz"))
        src = args.kernel
        if probe(src)[0] == "image-gz":
            src = os.path.join(run, "Image")
            with gzip.open(args.kernel, "rb") as g, open(src, "wb") as o:
                shutil.copyfileobj(g, o)
        sb_sign(src, os.path.join(root, "vmlinuz"), *sign)
    return root, names
