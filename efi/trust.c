/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * trust.c - Secure Boot verification, TPM2 measurements and the event
 * log's hand-off; see trust.h. Sources of the facts: ../shared/facts/
 * trust.md; the calls below cite what each one follows.
 */
#include "trust.h"
#include "ukistub.h"
#include "kexec.h"
#include "../lib/trust.h"

#define PAGE_ALIGN(x) (((x) + KIMAGE_PAGE_SIZE - 1) & KIMAGE_PAGE_MASK)

/* Largest image read whole to verify or measure it (a UKI with its initrd). */
#define TRUST_MAX_IMAGE (1ull << 30)

/* --- the firmware's and shim's interfaces (own declarations: GNU-EFI has none) -- */

/* shim's SHIM_LOCK (rhboot/shim shim.h): Verify has no EFIAPI - it is
 * built with the System V convention on x86_64 (systemd src/boot/shim.c
 * declares it sysv_abi too). */
#if defined(__x86_64__)
#define SHIM_ABI __attribute__((sysv_abi))
#else
#define SHIM_ABI
#endif
struct shim_lock {
	EFI_STATUS(SHIM_ABI *verify)(void *buffer, UINT32 size);
	void *hash, *context;
};
EFI_GUID trust_shim_guid = { 0x605dab50, 0xe046, 0x4300, { 0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 } };

/* EFI_TCG2_PROTOCOL (TCG EFI Protocol Specification, 6.x; function order
 * as EDK II's Tcg2Protocol.h) */
struct tcg2 {
	EFI_STATUS(EFIAPI *get_capability)(struct tcg2 *self, void *cap);
	EFI_STATUS(EFIAPI *get_event_log)(struct tcg2 *self, UINT32 format, EFI_PHYSICAL_ADDRESS *location,
					   EFI_PHYSICAL_ADDRESS *last, BOOLEAN *truncated);
	EFI_STATUS(EFIAPI *hash_log_extend_event)(struct tcg2 *self, UINT64 flags, EFI_PHYSICAL_ADDRESS data,
						   UINT64 len, void *event);
	void *submit_command, *get_active_pcr_banks, *set_active_pcr_banks, *get_result;
};
static EFI_GUID tcg2_guid = { 0x607f766c, 0x7455, 0x42be, { 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f } };
#define TCG2_FORMAT_TCG_1_2 1u
#define TCG2_FORMAT_TCG_2 2u
#define TCG2_PE_COFF_IMAGE 0x10u
/* EFI_TCG2_FINAL_EVENTS_TABLE_GUID (TCG EFI Protocol Spec 6.x) and the
 * kernel's LINUX_EFI_TPM_EVENT_LOG_GUID (include/linux/efi.h) */
static EFI_GUID final_events_guid = { 0x1e2ed096, 0x30e2, 0x4254, { 0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25 } };
static EFI_GUID linux_log_guid = { 0xb7799cb0, 0xeca2, 0x4943, { 0x96, 0x67, 0x1f, 0xae, 0x07, 0xb7, 0x47, 0xfa } };
/* EFI_IMAGE_SECURITY_DATABASE_GUID: db, dbx (UEFI 2.10, 32.6.1) */
static EFI_GUID secdb_guid = { 0xd719b2cb, 0x3d3a, 0x4596, { 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f } };

bool trust_secure_boot(void)
{
	return efi_facts.secure_boot == FW_SB_ENABLED;
}

/* --- Secure Boot ----------------------------------------------------------------- */

static struct shim_lock *shim(void)
{
	struct shim_lock *s = NULL;

	if (efi_bs->LocateProtocol(&trust_shim_guid, NULL, (void **)&s) != EFI_SUCCESS)
		return NULL;
	return s;
}

/* The firmware as verifier: LoadImage from the buffer applies db and dbx
 * (and measures the image into PCR 4), UnloadImage drops it again. The
 * buffer is named by a memory-mapped device path, as systemd's stub does:
 * EDK II's image verification treats a NULL path as an unknown source. */
static EFI_STATUS firmware_verify(const void *buf, uint64_t size)
{
	struct {
		MEMMAP_DEVICE_PATH mm;
		EFI_DEVICE_PATH end;
	} __attribute__((packed)) dp = {
		{ { HARDWARE_DEVICE_PATH, HW_MEMMAP_DP, { sizeof(MEMMAP_DEVICE_PATH), 0 } }, EfiLoaderData,
		  (uintptr_t)buf, (uintptr_t)buf + size - 1 },
		{ END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, { sizeof(EFI_DEVICE_PATH), 0 } },
	};
	EFI_HANDLE h = NULL;
	EFI_STATUS st;

	st = efi_bs->LoadImage(FALSE, efi_image, (EFI_DEVICE_PATH *)&dp, (void *)buf, (UINTN)size, &h);
	/* EFI_SECURITY_VIOLATION still makes a handle (UEFI 2.10, 7.4.1) */
	if (h && (st == EFI_SUCCESS || st == EFI_SECURITY_VIOLATION))
		efi_bs->UnloadImage(h);
	return st;
}

static void *get_var(CHAR16 *name, EFI_GUID *guid, UINTN *size)
{
	void *p = NULL;
	UINTN n = 0;

	if (efi_rs->GetVariable(name, guid, NULL, &n, NULL) != EFI_BUFFER_TOO_SMALL || !n)
		return NULL;
	if (efi_bs->AllocatePool(EfiLoaderData, n, &p) != EFI_SUCCESS)
		return NULL;
	if (efi_rs->GetVariable(name, guid, NULL, &n, p) != EFI_SUCCESS) {
		efi_bs->FreePool(p);
		return NULL;
	}
	*size = n;
	return p;
}

/* Why the verifier said no, as far as efikexec can tell without checking
 * signatures itself: no signature, a digest dbx names, a signature over
 * other bytes, else a signer the databases do not trust. */
static const char *reason(const void *buf, uint64_t size, bool by_shim)
{
	static struct pe_auth a;
	unsigned x509 = 0;
	bool in_dbx = false;
	UINTN n = 0;
	void *dbx;

	pe_authenticode(buf, size, &a);
	if (!a.is_pe)
		return a.why;
	if (!a.has_certs)
		return "not signed";
	if ((dbx = get_var(L"dbx", &secdb_guid, &n))) {
		siglist_find_sha256(dbx, n, a.digest, &in_dbx, &x509);
		efi_bs->FreePool(dbx);
	}
	if (in_dbx)
		return "hash in dbx";
	if (a.has_signed_digest && RT_FN(memcmp)(a.digest, a.signed_digest, sizeof(a.digest)))
		return "its bytes are not the ones it was signed over: changed after signing";
	if (by_shim)
		return x509 ? "signed by a key not in db or shim's MokList, or by one dbx revokes"
			    : "signed by a key not in db or shim's MokList";
	return x509 ? "signed by a key not in db, or by one dbx revokes" : "signed by a key not in db";
}

EFI_STATUS trust_verify(const void *buf, uint64_t size, const char *name, bool *measured)
{
	const char *kind = pe_not_pe_kind(buf, size);
	struct shim_lock *s;
	EFI_STATUS st;

	*measured = false;
	if (kind)
		return efi_fail(EFI_SECURITY_VIOLATION, "secureboot",
				"%s: %s cannot carry a signature, and Secure Boot is on: only signed PE images are booted (a bzImage or arm64 Image with its EFI stub, an EFI zboot image, a UKI); refused",
				name, kind);
	if (size > 0xffffffffu)
		return efi_fail(EFI_SECURITY_VIOLATION, "secureboot", "%s: %llu bytes, more than a PE image can be; refused",
				name, (unsigned long long)size);
	s = shim();
	/* shim's Verify measures into PCR 4 whatever it says (verify.c
	 * shim_verify -> tpm_log_pe); the firmware's LoadImage when it loads */
	st = s ? s->verify((void *)buf, (UINT32)size) : firmware_verify(buf, size);
	if (!EFI_ERROR(st)) {
		*measured = true;
		rt_log(RT_LOG_INFO, "secureboot", "%s: verified by %s", name,
		       s ? "shim (db, MokList, dbx, MokListX, SBAT)" : "the firmware (db, dbx)");
		return EFI_SUCCESS;
	}
	*measured = s != NULL;
	return efi_fail(EFI_SECURITY_VIOLATION, "secureboot", "%s: %s (%s says %s); refused", name,
			reason(buf, size, s != NULL), s ? "shim" : "the firmware", efi_status_name(st));
}

/* Reads input `in` whole into pages of t (once), so that what is checked
 * and measured is what is loaded, then verifies it under Secure Boot. */
static EFI_STATUS take(struct boot_input *in, struct trust_buf *t, bool sb, bool need_bytes, bool *measured,
		       const char *what)
{
	EFI_STATUS st;

	*measured = false;
	if (!in->path && !in->buf)
		return EFI_SUCCESS;
	if (!in->buf && (sb || need_bytes)) {
		st = efi_file_load(in->volume, in->path, TRUST_MAX_IMAGE, &t->buf, &t->size);
		if (EFI_ERROR(st))
			return st;
		in->buf = t->buf;
		in->size = t->size;
	}
	if (!sb || t->verified)
		return EFI_SUCCESS;
	st = trust_verify(in->buf, in->size, in->path ? in->path : what, measured);
	if (!EFI_ERROR(st) && in->buf == t->buf)
		t->verified = true;
	return st;
}

static struct tcg2 *tpm(void);

EFI_STATUS trust_request(struct boot_req *o, struct trust_req *t)
{
	bool sb = trust_secure_boot(), tpm_on = tpm() != NULL, m;
	EFI_STATUS st;

	o->image_cmdline_wins = sb;
	if (sb && (o->dtb.path || o->dtb.buf))
		return efi_fail(EFI_SECURITY_VIOLATION, "secureboot",
				"device tree %s: Secure Boot is on, and a device tree from a file is not verified; refused (as the kernel's EFI stub refuses dtb= then)",
				o->dtb.path ? o->dtb.path : "(buffer)");
	/* a module may be code (Xen's dom0 kernel) that nothing verifies */
	if (sb && o->modules)
		return efi_fail(EFI_SECURITY_VIOLATION, "secureboot",
				"module %s: Secure Boot is on, and modules (a dom0 kernel among them) are not verified; refused",
				o->ninitrd && o->initrd[0].path ? o->initrd[0].path : "(buffer)");
	st = take(&o->cap_kernel, &t->cap_kernel, sb, false, &m, "the capture kernel");
	if (!EFI_ERROR(st))
		st = take(&o->kernel, &t->kernel, sb, tpm_on, &m, "the kernel");
	if (!EFI_ERROR(st) && m)
		o->kernel_measured = true;
	return st;
}

void trust_release(struct boot_req *o, struct trust_req *t)
{
	struct trust_buf *b[2] = { &t->kernel, &t->cap_kernel };
	struct boot_input *in[2] = { &o->kernel, &o->cap_kernel };

	for (int i = 0; i < 2; i++) {
		if (b[i]->buf)
			efi_file_unload(b[i]->buf, b[i]->size);
		if (in[i]->buf == b[i]->buf)
			in[i]->buf = NULL;
		*b[i] = (struct trust_buf){ 0 };
	}
}

/* --- measured boot -------------------------------------------------------------- */

/* EFI_TCG2_BOOT_SERVICE_CAPABILITY (TCG EFI Protocol Specification 6.4):
 * not packed, 36 bytes, as EDK II, GRUB and systemd declare it */
struct tcg2_capability {
	uint8_t size, structure_version[2], protocol_version[2];
	uint32_t hash_algorithms, event_logs;
	uint8_t tpm_present;
	uint16_t max_command, max_response;
	uint32_t manufacturer, nr_pcr_banks, active_pcr_banks;
};
_Static_assert(sizeof(struct tcg2_capability) == 36, "EFI_TCG2_BOOT_SERVICE_CAPABILITY");

void *trust_tpm_find(void)
{
	struct tcg2_capability cap = { .size = sizeof(cap) };
	struct tcg2 *t = NULL;

	if (efi_bs->LocateProtocol(&tcg2_guid, NULL, (void **)&t) != EFI_SUCCESS || !t)
		return NULL;
	if (t->get_capability(t, &cap) != EFI_SUCCESS || !cap.tpm_present) {
		rt_log(RT_LOG_DEBUG, "tpm", "EFI_TCG2_PROTOCOL present, but no TPM behind it");
		return NULL;
	}
	return t;
}

/* the TPM of this plan's facts (efi_gather_facts found it) */
static struct tcg2 *tpm(void)
{
	return efi_facts.tpm;
}

static uint8_t event[16384];
static uint8_t utf16[2 * (4096 + 1)];

/* One measurement: the firmware hashes data into every active bank,
 * extends the PCR and logs the event. A log that is full still extends
 * (EFI_VOLUME_FULL is success, as shim treats it); any other failure is
 * said, and the boot goes on - the PCR then simply lacks it. */
static bool measure(struct tcg2 *t, uint64_t flags, const void *data, uint64_t len, uint32_t pcr,
		    uint32_t type, uint32_t tag, const void *ev, size_t evlen, const char *what)
{
	size_t n = tcg_event(event, sizeof(event), pcr, type, tag, ev, evlen);
	EFI_STATUS st;

	if (!n) {
		rt_log(RT_LOG_WARN, "tpm", "%s: its event is too long (%zu bytes); not measured", what, evlen);
		return false;
	}
	st = t->hash_log_extend_event(t, flags, (uintptr_t)data, len, event);
	if (st == EFI_VOLUME_FULL)
		st = EFI_SUCCESS;
	if (EFI_ERROR(st) && flags) /* firmware without PE measurement: shim retries so too */
		st = t->hash_log_extend_event(t, 0, (uintptr_t)data, len, event);
	if (EFI_ERROR(st) && st != EFI_VOLUME_FULL) {
		rt_log(RT_LOG_WARN, "tpm", "%s: HashLogExtendEvent says %s; not measured", what, efi_status_name(st));
		return false;
	}
	rt_log(RT_LOG_INFO, "tpm", "measured %s (%llu bytes) into PCR %u", what, (unsigned long long)len, pcr);
	return true;
}

bool trust_event(uint32_t pcr, uint32_t type, uint32_t tag, const void *data, uint64_t len, const void *ev,
		 size_t evlen, const char *what)
{
	struct tcg2 *t = tpm();

	return t && measure(t, 0, data, len, pcr, type, tag, ev, evlen, what);
}

bool trust_measure_pe(const void *buf, uint64_t size, const char *name)
{
	struct tcg2 *t = tpm();
	struct pe_auth a;
	struct {
		uint64_t location, length, link_time, path_length;
	} load = { (uintptr_t)buf, size, 0, 0 };
	char what[300];

	pe_authenticode(buf, size, &a);
	if (!t || !a.is_pe)
		return false;
	rt_snprintf(what, sizeof(what), "%s (PE image)", name);
	measure(t, TCG2_PE_COFF_IMAGE, buf, size, TCG_PCR_BOOT_APPS, TCG_EV_BOOT_SERVICES_APPLICATION, 0, &load,
		sizeof(load), what);
	return true;
}

/* EV_IPL with a name as its data (NUL included, as GRUB logs files). */
static void measure_named(struct tcg2 *t, const void *data, uint64_t len, const char *prefix, const char *name)
{
	char what[300];
	int n = rt_snprintf(what, sizeof(what), "%s%s", prefix, name);

	measure(t, 0, data, len, TCG_PCR_KERNEL, TCG_EV_IPL, 0, what, (size_t)n + 1, what);
}

/* The bytes of segment `seg` in one piece: where they lie when they lie
 * together (in place), else a copy in pages; *copy says which to free. */
static const void *segment_bytes(struct boot_plan *bp, unsigned seg, uint64_t len, EFI_PHYSICAL_ADDRESS *copy)
{
	void *p;
	uint64_t n, off = 0;

	*copy = 0;
	if (kimage_span(&bp->img, seg, 0, &p, &n) == RT_OK && n >= len)
		return p;
	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, PAGE_ALIGN(len) / KIMAGE_PAGE_SIZE, copy))
		return NULL;
	while (off < len && kimage_span(&bp->img, seg, off, &p, &n) == RT_OK) {
		if (n > len - off)
			n = len - off;
		RT_FN(memcpy)((uint8_t *)(uintptr_t)*copy + off, p, (size_t)n);
		off += n;
	}
	return (const void *)(uintptr_t)*copy;
}

void trust_measure(struct boot_plan *bp)
{
	static const char initrd_tag[] = "Linux initrd", options_tag[] = "LOADED_IMAGE::LoadOptions";
	const struct boot_req *o = bp->o;
	struct tcg2 *t = tpm();
	EFI_PHYSICAL_ADDRESS copy;
	const void *p;
	size_t n;

	if (!t)
		return;
	if (bp->cap) {
		/* capture time: the kernel as it lies in the region (the arming
		 * took its digest; its file is not read again) */
		const struct kimage_segment *k = &bp->img.segment[bp->seg_kernel[0]];
		measure_named(t, (const void *)(uintptr_t)k->mem, k->bufsz, "capture kernel ", bp->kernel_name);
	} else if (o->kernel.buf && !o->kernel_measured) {
		/* As a stub boot shows it: the firmware measures the kernel's PE
		 * image into PCR 4 when a loader LoadImage()s it (EV_EFI_BOOT_
		 * SERVICES_APPLICATION, its Authenticode digest); what is not PE
		 * goes into PCR 9 under its name, as GRUB logs files. */
		if (!trust_measure_pe(o->kernel.buf, o->kernel.size, bp->kernel_name))
			measure_named(t, o->kernel.buf, o->kernel.size, "", bp->kernel_name);
	}
	/* a UKI: what systemd-stub measures into PCRs 11, 12 and 13 */
	if (!bp->cap && bp->k->uki.is)
		uki_measure(bp);
	if (bp->dtb && bp->dtb != bp->fw->fdt && !bp->cap)
		measure_named(t, bp->dtb, bp->dtb_size, "devicetree ", bp->dtb_name);
	if (bp->seg_initrd != BOOT_NO_SEG && bp->initrd_size) {
		p = segment_bytes(bp, bp->seg_initrd, bp->initrd_size, &copy);
		if (p)
			measure(t, 0, p, bp->initrd_size, TCG_PCR_KERNEL, TCG_EV_EVENT_TAG, TCG_TAG_INITRD, initrd_tag,
				sizeof(initrd_tag), "the initrd");
		else
			rt_log(RT_LOG_WARN, "tpm", "no pages to measure the initrd from; not measured");
		if (copy)
			efi_bs->FreePages(copy, PAGE_ALIGN(bp->initrd_size) / KIMAGE_PAGE_SIZE);
	}
	n = tcg_cmdline_utf16(bp->cmdline ? bp->cmdline : "", bp->cmdline_len, utf16, sizeof(utf16));
	if (n)
		measure(t, 0, utf16, n, TCG_PCR_KERNEL, TCG_EV_EVENT_TAG, TCG_TAG_LOAD_OPTIONS, options_tag,
			sizeof(options_tag), "the command line");
}

/* --- the event log's hand-off ---------------------------------------------------------- */

static void *handed;

/* As the EFI stub's efi_retrieve_tpm2_eventlog() (libstub/tpm.c): the log
 * from GetEventLog - taken after every measurement of ours, so events
 * logged later are the final events table's - copied into ACPI reclaim
 * pool behind struct linux_efi_tpm_eventlog {u32 size; u32
 * final_events_preboot_size; u8 version; u8 log[]} (include/linux/efi.h),
 * installed as a configuration table the kernel maps. */
void trust_handoff(void)
{
	struct tcg2 *t = tpm();
	EFI_PHYSICAL_ADDRESS first = 0, last = 0;
	BOOLEAN truncated = FALSE;
	struct tcg_algs algs;
	uint32_t version = TCG2_FORMAT_TCG_2;
	size_t spec = 0, lastsize, size, final = 0;
	uint8_t *tbl;
	const uint8_t *fe;

	if (!t)
		return;
	if (t->get_event_log(t, version, &first, &last, &truncated) != EFI_SUCCESS || !first) {
		version = TCG2_FORMAT_TCG_1_2;
		if (t->get_event_log(t, version, &first, &last, &truncated) != EFI_SUCCESS || !first) {
			rt_log(RT_LOG_DEBUG, "tpm", "the firmware gives no event log");
			return;
		}
	}
	if (last < first) {
		rt_log(RT_LOG_WARN, "tpm", "event log: last entry %#llx before the first %#llx; not handed on",
		       (unsigned long long)last, (unsigned long long)first);
		return;
	}
	if (version == TCG2_FORMAT_TCG_1_2) {
		/* TCG_PCR_EVENT: 32 bytes and EventSize */
		lastsize = 32 + *(const uint32_t *)(uintptr_t)(last + 28);
	} else {
		if (tcg_spec_id((const void *)(uintptr_t)first, 65536, &algs, &spec) != RT_OK) {
			rt_log(RT_LOG_WARN, "tpm", "event log: its first event is not a Spec ID event; not handed on");
			return;
		}
		lastsize = last == first ? spec : tcg_event2_size((const void *)(uintptr_t)last, 1u << 20, &algs);
		if (!lastsize) {
			rt_log(RT_LOG_WARN, "tpm", "event log: its last event at %#llx is malformed; not handed on",
			       (unsigned long long)last);
			return;
		}
		/* events already in the final events table {u64 version, u64
		 * nr_events, events[]}: the kernel skips that many bytes of it */
		fe = efi_config_table(&final_events_guid);
		if (fe && *(const uint64_t *)(const void *)(fe + 8))
			final = tcg_events_size(fe + 16, 16u << 20, *(const uint64_t *)(const void *)(fe + 8), &algs);
	}
	size = (size_t)(last - first) + lastsize;
	if (efi_bs->AllocatePool(EfiACPIReclaimMemory, 9 + size, (void **)&tbl) != EFI_SUCCESS) {
		rt_log(RT_LOG_WARN, "tpm", "no pool for the %zu-byte event log; not handed on", size);
		return;
	}
	*(uint32_t *)(void *)tbl = (uint32_t)size;
	*(uint32_t *)(void *)(tbl + 4) = (uint32_t)final;
	tbl[8] = (uint8_t)version;
	RT_FN(memcpy)(tbl + 9, (const void *)(uintptr_t)first, size);
	if (efi_bs->InstallConfigurationTable(&linux_log_guid, tbl) != EFI_SUCCESS) {
		efi_bs->FreePool(tbl);
		rt_log(RT_LOG_WARN, "tpm", "cannot install the event log's table; not handed on");
		return;
	}
	handed = tbl;
	rt_log(RT_LOG_INFO, "tpm", "event log handed on: %zu bytes (format %u%s), %zu bytes of final events before it",
	       size, version, truncated ? ", truncated" : "", final);
}

void trust_undo(void)
{
	if (!handed)
		return;
	efi_bs->InstallConfigurationTable(&linux_log_guid, NULL);
	efi_bs->FreePool(handed);
	handed = NULL;
}
