/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * api-tools.c - the public API's calls around a boot (include/efikexec.h):
 * the capture region's state, the memory map, a file's digest, the
 * network, the self-test, the PE and UKI section helpers, the counter
 * (api-int.h).
 */
#include "efi.h"
#include "kexec.h"
#include "capture.h"
#include "trust.h"
#include "net.h"
#include "../lib/url.h"
#include "../arch/arch.h"
#include "../arch/counter.h"
#include "../boot/pe.h"
#include "../boot/uki.h"
#include "../lib/sha256.h"
#include "../include/efikexec.h"
#include "api-int.h"

/* --- capture state, tools -------------------------------------------------------------- */

efikexec_status EFIKEXEC_API efikexec_capture_status(struct efikexec_capture_state *out)
{
	const char *fn = "efikexec_capture_status";
	struct efikexec_capture_state s = { 0 };
	struct capture_state cs;

	API(fn);
	if (!out)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "%s: out is NULL", fn));
	capture_state(&cs);
	s.armed = cs.armed;
	s.base = cs.base;
	s.end = cs.end;
	s.armed_at = cs.armed_at;
	s.checked = cs.checked;
	s.intact = cs.intact;
	s.crashed = cs.crashed;
	_Static_assert(sizeof(s.kernel) == sizeof(cs.kernel) && sizeof(s.record) == sizeof(cs.record) &&
			       sizeof(s.why) == sizeof(cs.why),
		       "capture state strings");
	RT_FN(memcpy)(s.kernel, cs.kernel, sizeof(s.kernel));
	RT_FN(memcpy)(s.record, cs.record, sizeof(s.record));
	RT_FN(memcpy)(s.why, cs.why, sizeof(s.why));
	return api_leave(api_give(fn, out, out->struct_size, &s, sizeof(s),
			  offsetof(struct efikexec_capture_state, why) + sizeof(s.why)));
}

efikexec_status EFIKEXEC_API efikexec_capture_disarm(uint64_t *base, uint64_t *end)
{
	uint64_t b = 0, e = 0;
	bool was;

	API("efikexec_capture_disarm");
	was = capture_disarm(&b, &e);
	if (base)
		*base = b;
	if (end)
		*end = e;
	return api_leave(was ? EFI_SUCCESS : EFI_NOT_FOUND);
}

efikexec_status EFIKEXEC_API efikexec_print_memmap(void)
{
	API("efikexec_print_memmap");
	return api_leave(efi_print_memmap());
}

/* Largest file efikexec_file_sha256 reads: any kernel or initrd we boot. */
#define SHA256_MAX_FILE (1ull << 30)

efikexec_status EFIKEXEC_API efikexec_file_sha256(void *volume, const char *path, uint8_t digest[32],
						  uint64_t *size)
{
	void *buf;
	uint64_t n;
	EFI_STATUS st;

	API("efikexec_file_sha256");
	if (!path || !digest)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_file_sha256: path %p, digest %p",
				      (const void *)path, (void *)digest));
	st = efi_file_load(volume, path, SHA256_MAX_FILE, &buf, &n);
	if (EFI_ERROR(st))
		return api_leave(st);
	sha256(buf, (size_t)n, digest);
	if (size)
		*size = n;
	efi_file_unload(buf, n);
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_net_info(struct efikexec_net *out)
{
	API("efikexec_net_info");
	if (!out || out->struct_size < sizeof(*out))
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_net_info: %s",
				      out ? "struct_size less than struct efikexec_net" : "NULL"));
	RT_FN(memset)((uint8_t *)out + sizeof(out->struct_size), 0, sizeof(*out) - sizeof(out->struct_size));
	if (efi_net_present())
		out->flags |= EFIKEXEC_NET_HTTP;
	if (efi_net_pxe_present())
		out->flags |= EFIKEXEC_NET_PXE;
	if (efi_net_origin(out->origin, sizeof(out->origin), out->mac, &out->mac_len))
		out->flags |= EFIKEXEC_NET_BOOTED;
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_fetch(const char *url, uint64_t max, void **buf, uint64_t *size)
{
	struct url u;
	char why[300];

	API("efikexec_fetch");
	if (!url || !buf || !size)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_fetch: a NULL argument"));
	if (url_parse(url, &u, why, sizeof(why)) != RT_OK)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "net", "%s", why));
	return api_leave(efi_file_load(NULL, url, max, buf, size));
}

efikexec_status EFIKEXEC_API efikexec_fetch_free(void *buf, uint64_t size)
{
	API("efikexec_fetch_free");
	if (buf)
		efi_file_unload(buf, size);
	return api_leave(EFI_SUCCESS);
}

efikexec_status EFIKEXEC_API efikexec_tls_ca_add(const void *data, uint64_t size, const char *name)
{
	API("efikexec_tls_ca_add");
	if (!data || !size || !name)
		return api_leave(efi_fail(EFI_INVALID_PARAMETER, "api", "efikexec_tls_ca_add: %s",
				      !name ? "no name" : !data ? "NULL data" : "0 bytes"));
	return api_leave(efi_net_tls_ca_add(data, size, name));
}

efikexec_status EFIKEXEC_API efikexec_selftest(void)
{
	API("efikexec_selftest");
	return api_leave(efi_selftest());
}

/* --- plain helpers ----------------------------------------------------------------------- */

efikexec_status EFIKEXEC_API efikexec_pe_section(const void *head, size_t len, const char *name,
						 uint64_t *offset, uint64_t *size)
{
	char why[128];
	struct pe_section sec;
	uint32_t table;
	unsigned count;

	api_last_error[0] = '\0';
	if (!head || !name || !offset || !size) {
		rt_snprintf(api_last_error, sizeof(api_last_error), "api: efikexec_pe_section: a NULL argument");
		return EFI_INVALID_PARAMETER;
	}
	if (!pe_table(head, len, &table, &count, why, sizeof(why))) {
		rt_snprintf(api_last_error, sizeof(api_last_error), "pe: %s", why);
		return EFI_LOAD_ERROR;
	}
	if (!pe_find(head, table, count, name, &sec))
		return EFI_NOT_FOUND;
	*offset = sec.off;
	*size = sec.len;
	return EFI_SUCCESS;
}

efikexec_status EFIKEXEC_API efikexec_uki_section(const void *head, size_t len, uint32_t profile,
						  const char *name, uint64_t *offset, uint64_t *size)
{
	char why[128];
	struct uki_layout l;
	rt_status rs;
	int i;

	api_last_error[0] = '\0';
	if (!head || !name || !offset || !size) {
		rt_snprintf(api_last_error, sizeof(api_last_error), "api: efikexec_uki_section: a NULL argument");
		return EFI_INVALID_PARAMETER;
	}
	rs = uki_layout(head, len, profile, &l, why, sizeof(why));
	if (rs == RT_ENOEXEC) {
		rt_snprintf(api_last_error, sizeof(api_last_error), "pe: %s", why);
		return EFI_LOAD_ERROR;
	}
	if (rs != RT_OK)
		return EFI_NOT_FOUND;
	for (i = 0; i < UKI_NSECTIONS; i++)
		if (!RT_FN(strcmp)(uki_section_name[i], name))
			break;
	if (i == UKI_NSECTIONS || !l.sec[i].set)
		return EFI_NOT_FOUND;
	*offset = l.sec[i].off;
	*size = l.sec[i].raw;
	return EFI_SUCCESS;
}

uint64_t EFIKEXEC_API efikexec_counter(void)
{
	return arch_counter();
}

uint64_t EFIKEXEC_API efikexec_counter_usec(uint64_t ticks)
{
	static uint64_t hz;

	if (!hz) {
		hz = arch_counter_hz();
		if (!hz && efi_bs) { /* calibrate across a 1 ms stall, as systemd-boot does */
			uint64_t a = arch_counter();
			efi_bs->Stall(1000);
			hz = (arch_counter() - a) * 1000;
		}
		if (!hz)
			return 0;
	}
	/* in two parts, so nothing overflows for counters below 2^64 and
	 * frequencies below 18 THz (and no 128-bit division is needed) */
	return ticks / hz * 1000000u + ticks % hz * 1000000u / hz;
}
