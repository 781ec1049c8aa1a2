/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * trust.h - the plain parts of Secure Boot and measured boot: reading a PE
 * image's Authenticode digest and the digest its signature names, EFI
 * signature lists (dbx), TPM2 event logs and the events efikexec logs.
 * No firmware calls here (efi/trust.c makes them); host-tested and fuzzed.
 */
#ifndef EFIKEXEC_TRUST_H
#define EFIKEXEC_TRUST_H

#include "rt.h"
#include "sha256.h"

/* --- Authenticode ---------------------------------------------------------------- */

/* What a PE image says of its signature, for the reason of a refusal (the
 * decision itself is shim's or the firmware's). */
struct pe_auth {
	bool is_pe;                        /* MZ, PE\0\0, an optional header we read */
	bool has_certs;                    /* the certificate table is not empty */
	bool has_signed_digest;            /* a SHA-256 digest found in a signature */
	uint8_t digest[SHA256_DIGEST_SIZE];        /* the image's Authenticode SHA-256 */
	uint8_t signed_digest[SHA256_DIGEST_SIZE]; /* the one its signature signs */
	const char *why;                   /* !is_pe, or the digest failed: what is wrong */
};
/* Reads buf as a PE/COFF file. The Authenticode digest follows "Windows
 * Authenticode Portable Executable Signature Format" (Microsoft, 2008),
 * "Calculating the PE Image Hash": the headers without CheckSum and the
 * Certificate Table entry, the sections in file order, then what follows
 * them but the certificate table. Never fails: out->is_pe and out->why say. */
void pe_authenticode(const void *buf, uint64_t size, struct pe_auth *out);
/* What a file that is not PE is, in a few words ("an ELF file", "gzip
 * data", "an arm64 Image without an EFI stub"), NULL when it is PE. */
const char *pe_not_pe_kind(const void *buf, uint64_t size);

/* --- EFI signature lists (UEFI 2.10, 32.4.1) ---------------------------------------- */

/* How a list judges a SHA-256 digest: found as EFI_CERT_SHA256, and how
 * many X.509 certificates it holds besides. RT_EINVAL when malformed. */
rt_status siglist_find_sha256(const void *buf, size_t size, const uint8_t digest[SHA256_DIGEST_SIZE],
			      bool *found, unsigned *x509);

/* --- TPM2 event logs (TCG PC Client Platform Firmware Profile, 10.2) ---------------- */

#define TCG_MAX_ALGS 8
struct tcg_algs {
	unsigned n;
	uint16_t id[TCG_MAX_ALGS];
	uint16_t size[TCG_MAX_ALGS];
};
/* The first event of a crypto-agile log (TCG_PCR_EVENT with the
 * "Spec ID Event03" data): its size and the digest sizes it declares. */
rt_status tcg_spec_id(const void *ev, size_t avail, struct tcg_algs *algs, size_t *size);
/* One TCG_PCR_EVENT2 at ev, avail bytes readable: its size, 0 if it is not
 * one (or runs past avail). */
size_t tcg_event2_size(const void *ev, size_t avail, const struct tcg_algs *algs);
/* Bytes of the first nr events at ev (the final events table's), 0 when
 * any of them is malformed. */
size_t tcg_events_size(const void *ev, size_t avail, uint64_t nr, const struct tcg_algs *algs);

/* --- the events efikexec logs ------------------------------------------------------- */

/* The kernel's EFI stub's tagged events, both in PCR 9
 * (drivers/firmware/efi/libstub/efistub.h INITRD_EVENT_TAG_ID,
 * LOAD_OPTIONS_EVENT_TAG_ID; efi-stub-helper.c efi_measured_events[]). */
#define TCG_PCR_KERNEL 9
#define TCG_PCR_BOOT_APPS 4
#define TCG_TAG_INITRD 0x8F3B22ECu
#define TCG_TAG_LOAD_OPTIONS 0x8F3B22EDu
#define TCG_EV_IPL 0x0000000Du
#define TCG_EV_EVENT_TAG 0x00000006u
#define TCG_EV_BOOT_SERVICES_APPLICATION 0x80000003u

/* The command line as the stub measures LoadOptions: UTF-16LE with its
 * NUL (systemd-boot and the firmware pass it so). Returns bytes written,
 * 0 when out is too small. Bytes above 0x7f are widened as Latin-1, as
 * efikexec's own front ends narrow them. */
size_t tcg_cmdline_utf16(const char *s, size_t len, uint8_t *out, size_t max);
/* An EFI_TCG2_EVENT (packed: Size, a 14-byte header, the data) into out:
 * tagged (tag != 0: TCG_PCClientTaggedEvent {id, size, data}) or plain.
 * Returns its size, 0 when out is too small. */
size_t tcg_event(uint8_t *out, size_t max, uint32_t pcr, uint32_t type, uint32_t tag, const void *data,
		 size_t len);

#endif
