/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net-tftp.c - files by URL: TFTP through the PXE base code, a whole file (net-int.h).
 */
#include "net-int.h"

/* --- TFTP ------------------------------------------------------------------------------------------ */

static bool ipv4_literal(const char *s, uint8_t ip[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4)
			v = v * 10 + (unsigned)(*s++ - '0'), digits++;
		if (!digits || v > 255 || (i < 3 && *s++ != '.'))
			return false;
		ip[i] = (uint8_t)v;
	}
	return !*s;
}

/*
 * A base code efikexec started stays started while a file read through it
 * is open, and is stopped with the last: EDK II's Start sets the NIC's
 * IPv4 policy to static and Stop sets it back to DHCP, which asks DHCP
 * again (3-4 s), so a stop after each of a boot's files would cost that
 * for each of them.
 */
static EFI_PXE_BASE_CODE_PROTOCOL *pxe_ours;
static unsigned pxe_users;

#ifdef EFIKEXEC_TEST_HOOKS
bool efi_net_test_pxe_held(unsigned *users)
{
	*users = pxe_users;
	return pxe_ours != NULL;
}
#endif

void pxe_stop(void)
{
	if (pxe_ours)
		pxe_ours->Stop(pxe_ours);
	pxe_ours = NULL;
	pxe_users = 0;
}

/* The PXE base code to use: efikexec's own (PXE-booted: its DHCP done),
 * else the first one on an IPv4 path, started by us (*started) with the
 * address its own NIC's IPv4 configuration has (its DHCP: the base code's
 * own DHCP insists on a PXE boot offer and waits a minute without one), so
 * the server must be on that subnet. That NIC is the one the base code's
 * device path starts with (LocateDevicePath): no HTTP stack is needed. */
static EFI_STATUS pxe_ready(EFI_PXE_BASE_CODE_PROTOCOL **out, const char *url, bool *started)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	EFI_HANDLE *hs = NULL, ph = NULL;
	UINTN n = 0;
	EFI_STATUS st;

	if (efi_loaded_image &&
	    EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, (void **)&pxe)))
		pxe = NULL;
	if (pxe)
		ph = efi_loaded_image->DeviceHandle;
	if (!pxe && EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs)))
		connect_nics();
	else if (hs)
		efi_bs->FreePool(hs);
	hs = NULL;
	if (!pxe && !EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs))) {
		for (UINTN i = 0; i < n && !pxe; i++) {
			if (dp_has(hs[i], MESSAGING_DEVICE_PATH, MSG_IPv4_DP) &&
			    EFI_ERROR(efi_bs->HandleProtocol(hs[i], &pxe_guid, (void **)&pxe)))
				pxe = NULL;
			if (pxe)
				ph = hs[i];
		}
		efi_bs->FreePool(hs);
	}
	if (!pxe)
		return efi_fail(EFI_UNSUPPORTED, "net", "%s: the firmware has no PXE base code on an IPv4 NIC for TFTP",
				url);
	*started = false;
	if (pxe == pxe_ours) { /* started and given its address by us, still in use */
		*out = pxe;
		return EFI_SUCCESS;
	}
	if (!pxe->Mode->Started) {
		st = pxe->Start(pxe, FALSE);
		if (EFI_ERROR(st) && st != EFI_ALREADY_STARTED)
			return efi_fail(st, "net", "%s: cannot start the PXE base code", url);
		*started = !EFI_ERROR(st);
	}
	if (!pxe->Mode->DhcpAckReceived) {
		EFI_IP_ADDRESS ip = { 0 }, mask = { 0 };
		EFI_HANDLE nic = NULL;
		EFI_DEVICE_PATH *dp = NULL;
		st = efi_bs->HandleProtocol(ph, &dp_guid, (void **)&dp);
		if (!EFI_ERROR(st))
			st = efi_bs->LocateDevicePath(&ip4c2_guid, &dp, &nic);
		if (EFI_ERROR(st))
			st = efi_fail(EFI_UNSUPPORTED, "net",
				 "%s: the PXE base code's NIC has no IPv4 configuration (EFI_IP4_CONFIG2_PROTOCOL) to take an address from",
				 url);
		else
			st = nic_address(nic, url, ip.v4.Addr, mask.v4.Addr);
		if (!EFI_ERROR(st)) {
			st = pxe->SetStationIp(pxe, &ip, &mask);
			if (EFI_ERROR(st))
				efi_fail(st, "net", "%s: cannot give the PXE base code its address", url);
		}
		if (EFI_ERROR(st)) {
			if (*started)
				pxe->Stop(pxe);
			return st;
		}
	}
	*out = pxe;
	return EFI_SUCCESS;
}

/* A TFTP failure said; "file not found" (RFC 1350 error 1, or its text:
 * slirp sends its text with code 0) is EFI_NOT_FOUND, as HTTP's 404 is. */
static EFI_STATUS tftp_error(EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_STATUS st, const char *url, const char *what)
{
	if (st == EFI_TFTP_ERROR && pxe->Mode->TftpErrorReceived) {
		const char *text = (const char *)pxe->Mode->TftpError.ErrorString;
		if (pxe->Mode->TftpError.ErrorCode == 1 || !RT_FN(strncmp)(text, "File not found", 14))
			st = EFI_NOT_FOUND;
		return efi_fail(st, "net", "%s: %s: TFTP error %u: %.100s", url, what, pxe->Mode->TftpError.ErrorCode,
				text);
	}
	return efi_fail(st, "net", "%s: %s", url, what);
}

static EFI_STATUS tftp_get(struct net_file *nf, EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_IP_ADDRESS *srv,
			   const char *name, uint64_t max);

static EFI_STATUS tftp_open(struct net_file *nf, uint64_t max)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	EFI_IP_ADDRESS server = { 0 };
	EFI_STATUS st;
	bool started = false;
	const char *name = nf->u.path + 1; /* the server's root is the path's */

	if (!ipv4_literal(nf->u.host, server.v4.Addr))
		return efi_fail(EFI_INVALID_PARAMETER, "net",
				"%s: host %s: TFTP here needs an IPv4 address (the PXE base code looks no names up)",
				nf->u.text, nf->u.host);
	st = pxe_ready(&pxe, nf->u.text, &started);
	if (EFI_ERROR(st))
		return st;
	if (started)
		pxe_ours = pxe;
	st = tftp_get(nf, pxe, &server, name, max);
	if (!EFI_ERROR(st) && pxe_ours)
		pxe_users++, nf->pxe_user = true;
	else if (pxe_ours && !pxe_users)
		pxe_stop();
	return st;
}

static EFI_STATUS tftp_get(struct net_file *nf, EFI_PXE_BASE_CODE_PROTOCOL *pxe, EFI_IP_ADDRESS *srv,
			   const char *name, uint64_t max)
{
	UINTN block = TFTP_BLOCK;
	UINT64 size = 0;
	uint8_t *whole;
	EFI_STATUS st;

	st = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, FALSE, &size, &block, srv,
			(UINT8 *)name, NULL, FALSE);
	if (EFI_ERROR(st))
		return tftp_error(pxe, st, nf->u.text, st == EFI_TFTP_ERROR ? "no size" : "no answer to the size request");
	nf->size = size;
	if (size > max)
		return efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: %llu bytes, more than the limit of %llu", nf->u.text,
				(unsigned long long)size, (unsigned long long)max);
	if (nf->nkept || !(whole = pages(size)))
		return efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no memory for its %llu bytes", nf->u.text,
				(unsigned long long)size);
	nf->t0 = now_us();
	st = pxe->Mtftp(pxe, EFI_PXE_BASE_CODE_TFTP_READ_FILE, whole, FALSE, &size, &block, srv,
			(UINT8 *)name, NULL, FALSE);
	if (!EFI_ERROR(st) && size != nf->size)
		st = efi_fail(EFI_END_OF_FILE, "net", "%s: %llu bytes arrived of the %llu announced", nf->u.text,
			      (unsigned long long)size, (unsigned long long)nf->size);
	else if (EFI_ERROR(st))
		tftp_error(pxe, st, nf->u.text, "the transfer failed");
	if (EFI_ERROR(st)) {
		unpages(whole, nf->size);
		return st;
	}
	/* the whole file: the one kept range reads are served from */
	nf->kept[0] = (struct kept){ 0, size, size, whole };
	nf->nkept = 1;
	nf->cursor = size;
	progress(nf, true);
	sha256_init(&nf->h);
	if (nf->u.pinned)
		sha256_update(&nf->h, whole, (size_t)size);
	return EFI_SUCCESS;
}

/* A file's hold on the base code efikexec started, let go: the last one
 * stops it. */
static void tftp_release(struct net_file *nf)
{
	if (nf->pxe_user && pxe_users && !--pxe_users)
		pxe_stop();
	nf->pxe_user = false;
}

/* No stream: the base code gives the whole file at once (recv NULL). */
const struct net_ops tftp_ops = { "TFTP", tftp_open, NULL, tftp_release };
