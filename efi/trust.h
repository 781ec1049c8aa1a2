/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * trust.h - Secure Boot and measured boot against the firmware: which
 * images may run (shim's SHIM_LOCK, else the firmware's db and dbx through
 * LoadImage), what is measured into the TPM (EFI_TCG2_PROTOCOL), and the
 * event log handed to the kernel. The plain parsing is lib/trust.c.
 *
 * In the order a boot calls them:
 *   trust_request   before planning: reads a kernel whole when it must be
 *                   verified or measured, verifies it (and the capture
 *                   kernel), refuses what cannot be verified
 *   trust_measure   after loading: the kernel (when the verifier did not),
 *                   the device tree, the initrd, the command line
 *   trust_handoff   last before ExitBootServices: the firmware's event log
 *                   as LINUX_EFI_TPM_EVENT_LOG_GUID; trust_undo takes it
 *                   back when the boot fails before the exit
 */
#ifndef EFIKEXEC_EFI_TRUST_H
#define EFIKEXEC_EFI_TRUST_H

#include "efi.h"

/* A kernel read whole for verifying or measuring; efikexec's to free. */
struct trust_buf {
	void *buf;
	uint64_t size;
	bool verified;
};
struct trust_req {
	struct trust_buf kernel, cap_kernel;
};

/* Secure Boot enforced: SecureBoot 1, SetupMode 0, shim not told to stop
 * validating (efi_facts.secure_boot, efi/tables.c). */
bool trust_secure_boot(void);
/* shim's vendor GUID: its SHIM_LOCK protocol and its variables
 * (MokSBStateRT) are under it (rhboot/shim shim.h) */
extern EFI_GUID trust_shim_guid;
/* Verifies one image under Secure Boot: EFI_SUCCESS, or
 * EFI_SECURITY_VIOLATION with the reason logged ("not signed", "signed by
 * a key not in db", "hash in dbx", ...) and `name` in it. *measured says
 * whether the verifier measured it into PCR 4 itself. */
EFI_STATUS trust_verify(const void *buf, uint64_t size, const char *name, bool *measured);
/* The firmware's EFI_TCG2_PROTOCOL when a TPM is behind it, else NULL:
 * looked up once per plan, as one of the firmware's facts (efi_gather_facts) */
void *trust_tpm_find(void);
EFI_STATUS trust_request(struct boot_req *o, struct trust_req *t);
void trust_release(struct boot_req *o, struct trust_req *t);
void trust_measure(struct boot_plan *bp);
/* One event with the TPM of this plan (efi/ukistub.c's): data hashed into
 * PCR pcr, logged with type, tag (0: none) and event data ev. False when
 * there is no TPM or the firmware failed it (said). */
bool trust_event(uint32_t pcr, uint32_t type, uint32_t tag, const void *data, uint64_t len, const void *ev,
		 size_t evlen, const char *what);
/* A PE image into PCR 4 as the firmware's LoadImage measures one
 * (EV_EFI_BOOT_SERVICES_APPLICATION, its Authenticode digest); false when
 * there is no TPM or the bytes are no PE image. */
bool trust_measure_pe(const void *buf, uint64_t size, const char *name);
void trust_handoff(void);
void trust_undo(void);

#endif
