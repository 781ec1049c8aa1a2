# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Secure Boot: a key the firmware trusts, what boots signed with it.
"""
import os
import shutil
import subprocess
from efikexec_vm.base import Refused, check_file


# the owner GUID of the certificate put into db (EFI_SIGNATURE_DATA's
# SignatureOwner): efikexec-vm's own, a random one fixed once
OWNER = "4e5e2c80-7f3a-4c57-9a76-3c1a0e7d9b21"


def sb_tools(args):
    need = ["virt-fw-vars", "sbsign", "sbattach", "sbverify"] + ([] if args.sign_key else ["openssl"])
    missing = [t for t in need if not shutil.which(t)]
    if missing:
        raise Refused(f"--secure-boot needs {', '.join(missing)} (Debian: python3-virt-firmware, sbsigntool, openssl)")
    if bool(args.sign_key) != bool(args.sign_cert):
        raise Refused("--sign-key and --sign-cert go together")
    if args.sign_key:
        check_file(args.sign_key, "--sign-key")
        check_file(args.sign_cert, "--sign-cert")
        return args.sign_key, args.sign_cert
    return None, None


def sb_key(run):
    """A key and certificate for this run alone (nothing kept)."""
    key, cert = os.path.join(run, "db.key"), os.path.join(run, "db.pem")
    r = subprocess.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "1",
                        "-subj", "/CN=efikexec-vm run key/", "-keyout", key, "-out", cert],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise Refused(f"openssl could not make a signing key: {r.stderr.strip()}")
    return key, cert


def sb_vars(template, out, cert):
    """The descriptor's variable store with cert added to db."""
    r = subprocess.run(["virt-fw-vars", "--input", template, "--add-db", OWNER, cert, "--secure-boot",
                        "--output", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise Refused(f"virt-fw-vars could not add {cert} to db of {template}: {r.stderr.strip()}")


def sb_sign(src, dst, key, cert):
    """dst: src as the firmware's db takes it: as it is when it verifies
    against cert already, else its signatures removed and signed anew."""
    if subprocess.run(["sbverify", "--cert", cert, src], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        shutil.copyfile(src, dst)
        return
    tmp = dst + ".unsigned"
    shutil.copyfile(src, tmp)
    subprocess.run(["sbattach", "--remove", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = subprocess.run(["sbsign", "--key", key, "--cert", cert, "--output", dst, tmp],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    os.unlink(tmp)
    if r.returncode:
        raise Refused(f"sbsign could not sign {src}: {r.stderr.strip()}")
