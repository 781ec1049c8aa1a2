/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net-nic.c - files by URL: the NIC, its IPv4 address, time, where efikexec came from (net-int.h).
 */
#include "net-int.h"

/* --- time ------------------------------------------------------------------------------------------ */

uint64_t now_us(void)
{
	return efikexec_counter_usec(efikexec_counter());
}

/* Waits for ev, calling poll between looks, at most ms milliseconds (by
 * the CPU's counter: no timer event to arm for each of the thousands of
 * waits a transfer makes). */
EFI_STATUS wait_for(EFI_EVENT ev, http_proto *poll, UINT64 ms)
{
	uint64_t end = now_us() + ms * 1000;

	for (;;) {
		if (poll)
			poll->Poll(poll);
		if (efi_bs->CheckEvent(ev) == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (now_us() > end)
			return EFI_TIMEOUT;
	}
}

void sleep_ms(UINT64 ms)
{
	efi_bs->Stall((UINTN)ms * 1000);
}

/* --- IPv4 ------------------------------------------------------------------------------------------ */

static void ip_text(const uint8_t *a, char *out, size_t size)
{
	rt_snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void mac_text(const ip4c2_info *i, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (UINT32 k = 0; k < i->HwAddressSize && k < 32 && o + 4 < size; k++)
		o += (size_t)rt_snprintf(out + o, size - o, "%s%02x", k ? ":" : "", i->HwAddress.Addr[k]);
}

/* The NIC's IPv4 address, asking DHCP for one when it has none; ip and
 * mask (each NULL or 4 bytes) get it. */
EFI_STATUS nic_address(EFI_HANDLE nic, const char *url, uint8_t *ip4, uint8_t *mask)
{
	/* the route table follows the structure: room for it, or GetData
	 * answers EFI_BUFFER_TOO_SMALL once DHCP has set routes */
	static union {
		ip4c2_info i;
		uint8_t room[sizeof(ip4c2_info) + 64 * 12];
	} u;
	ip4c2_info *const info = &u.i;
	ip4c2 *c;
	UINTN n = sizeof(u);
	UINT32 policy = IP4C2_DHCP;
	char mac[100], ip[20];
	EFI_STATUS st;
	uint64_t t0;

	if (EFI_ERROR(efi_bs->HandleProtocol(nic, &ip4c2_guid, (void **)&c)))
		return ip4 ? efi_fail(EFI_UNSUPPORTED, "net", "%s: the NIC has no IPv4 configuration", url)
			   : EFI_SUCCESS; /* not ours to set up: the HTTP child finds out */
	st = c->GetData(c, IP4C2_INTERFACE_INFO, &n, info);
	if (!EFI_ERROR(st) && (info->StationAddress.Addr[0] | info->StationAddress.Addr[1] |
			       info->StationAddress.Addr[2] | info->StationAddress.Addr[3]))
		goto have;
	mac_text(info, mac, sizeof(mac));
	n = sizeof(policy);
	{
		UINT32 have = 0;
		UINTN hn = sizeof(have);
		if (EFI_ERROR(c->GetData(c, IP4C2_POLICY, &hn, &have)) || have != IP4C2_DHCP) {
			st = c->SetData(c, IP4C2_POLICY, n, &policy);
			if (EFI_ERROR(st) && st != EFI_NOT_READY)
				return efi_fail(st, "net", "%s: cannot ask DHCP for an address on NIC %s", url, mac);
		}
	}
	rt_info("net", "NIC %s: asking DHCP for an IPv4 address", mac);
	t0 = now_us();
	while (now_us() - t0 < (uint64_t)WAIT_DHCP_MS * 1000) {
		n = sizeof(u);
		if (!EFI_ERROR(c->GetData(c, IP4C2_INTERFACE_INFO, &n, info)) &&
		    (info->StationAddress.Addr[0] | info->StationAddress.Addr[1] | info->StationAddress.Addr[2] |
		     info->StationAddress.Addr[3])) {
			ip_text(info->StationAddress.Addr, ip, sizeof(ip));
			rt_info("net", "NIC %s: %s from DHCP after %llu ms", mac, ip,
				(unsigned long long)((now_us() - t0) / 1000));
			goto have;
		}
		sleep_ms(50);
	}
	return efi_fail(EFI_NO_MAPPING, "net", "%s: no IPv4 address from DHCP on NIC %s within %u s", url, mac,
			WAIT_DHCP_MS / 1000);
have:
	if (ip4)
		RT_FN(memcpy)(ip4, info->StationAddress.Addr, 4);
	if (mask)
		RT_FN(memcpy)(mask, info->SubnetMask.Addr, 4);
	return EFI_SUCCESS;
}

/* Does a device path have a node of this type and subtype? */
bool dp_has(EFI_HANDLE h, uint8_t type, uint8_t sub)
{
	const uint8_t *dp;

	if (EFI_ERROR(efi_bs->HandleProtocol(h, &dp_guid, (void **)&dp)))
		return false;
	for (int guard = 0; guard < 64; guard++) {
		UINTN len = dp[2] | (UINTN)dp[3] << 8;
		if (dp[0] == END_DEVICE_PATH_TYPE || len < 4)
			return false;
		if (dp[0] == type && dp[1] == sub)
			return true;
		dp += len;
	}
	return false;
}

/*
 * Starts the drivers of every network controller (PCI base class 0x02).
 * A firmware that boots from disk connects only what its boot order needs
 * (OVMF with the disk first leaves the NIC bare), so the network stack is
 * not there until something asks for it, as a boot manager does before a
 * network boot.
 */
void connect_nics(void)
{
	static EFI_GUID pci_guid = EFI_PCI_IO_PROTOCOL_GUID;
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pci_guid, NULL, &n, &hs)))
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_PCI_IO_PROTOCOL *pci;
		uint8_t cls = 0;
		if (EFI_ERROR(efi_bs->HandleProtocol(hs[i], &pci_guid, (void **)&pci)) ||
		    EFI_ERROR(pci->Pci.Read(pci, EfiPciIoWidthUint8, 0x0b, 1, &cls)) || cls != 0x02)
			continue;
		rt_info("net", "starting the drivers of a network controller (PCI handle %u)", (unsigned)i);
		efi_bs->ConnectController(hs[i], NULL, NULL, TRUE);
	}
	efi_bs->FreePool(hs);
}

/* The NIC to use: the one efikexec came from when it came over the
 * network, else the first with an HTTP service binding. */
EFI_STATUS find_nic(EFI_HANDLE *out, const char *url)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	EFI_STATUS st;
	void *sb;

	st = efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs);
	if (EFI_ERROR(st) || !n) {
		connect_nics();
		st = efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs);
	}
	if (EFI_ERROR(st) || !n)
		return efi_fail(EFI_UNSUPPORTED, "net",
				"%s: the firmware has no HTTP stack (no EFI_HTTP_SERVICE_BINDING_PROTOCOL on any NIC)",
				url);
	*out = hs[0];
	/* efikexec's own NIC: its device handle, or a handle of the same MAC path */
	if (efi_loaded_image && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &http_sb_guid, &sb)))
		*out = efi_loaded_image->DeviceHandle;
	efi_bs->FreePool(hs);
	return EFI_SUCCESS;
}

/* --- where efikexec came from ---------------------------------------------------------------------- */

bool efi_net_origin(char *url, size_t size, uint8_t *mac, uint32_t *mac_len)
{
	EFI_PXE_BASE_CODE_PROTOCOL *pxe = NULL;
	const uint8_t *dp;
	bool found = false;

	url[0] = '\0';
	*mac_len = 0;
	if (!efi_loaded_image || EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &dp_guid, (void **)&dp)))
		return false;
	for (int guard = 0; guard < 64; guard++) {
		UINTN len = dp[2] | (UINTN)dp[3] << 8;
		if (dp[0] == END_DEVICE_PATH_TYPE || len < 4)
			break;
		if (dp[0] == MESSAGING_DEVICE_PATH && dp[1] == MSG_MAC_ADDR_DP && len >= 4 + 32 + 1) {
			uint8_t type = dp[4 + 32];
			*mac_len = type == 1 || type == 0 ? 6 : 32; /* IfType 1: Ethernet */
			RT_FN(memcpy)(mac, dp + 4, *mac_len);
		}
		if (dp[0] == MESSAGING_DEVICE_PATH && dp[1] == MSG_URI_DP && len > 4) {
			rt_snprintf(url, size, "%.*s", (int)(len - 4), (const char *)dp + 4);
			found = true;
		}
		dp += len;
	}
	if (!found && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, (void **)&pxe)) &&
	    pxe->Mode->DhcpAckReceived && !pxe->Mode->UsingIpv6) {
		const EFI_PXE_BASE_CODE_DHCPV4_PACKET *ack = &pxe->Mode->DhcpAck.Dhcpv4;
		char ip[20];
		ip_text(ack->BootpSiAddr, ip, sizeof(ip));
		rt_snprintf(url, size, "tftp://%s/%.*s", ip, (int)RT_FN(strnlen)((const char *)ack->BootpBootFile, 128),
			    (const char *)ack->BootpBootFile);
		found = true;
	}
	return found;
}

bool efi_net_present(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;

	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs))) {
		connect_nics();
		if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &http_sb_guid, NULL, &n, &hs)))
			return false;
	}
	efi_bs->FreePool(hs);
	return n > 0;
}

bool efi_net_pxe_present(void)
{
	EFI_HANDLE *hs = NULL;
	UINTN n = 0;
	bool found = false;
	void *pxe;

	if (efi_loaded_image && !EFI_ERROR(efi_bs->HandleProtocol(efi_loaded_image->DeviceHandle, &pxe_guid, &pxe)))
		return true;
	if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs))) {
		connect_nics();
		if (EFI_ERROR(efi_bs->LocateHandleBuffer(ByProtocol, &pxe_guid, NULL, &n, &hs)))
			return false;
	}
	for (UINTN i = 0; i < n && !found; i++)
		found = dp_has(hs[i], MESSAGING_DEVICE_PATH, MSG_IPv4_DP);
	efi_bs->FreePool(hs);
	return found;
}

/* efikexec's owner GUID in the signature lists it adds (EFI_SIGNATURE_DATA's
 * SignatureOwner: who put the certificate there) */
static const uint8_t tls_ca_owner[16] = { 0x6b, 0x65, 0x78, 0x65, 0x63, 0x2d, 0x43, 0x41,
					  0x9e, 0x1f, 0x45, 0x22, 0x7a, 0x61, 0x2e, 0x01 };

EFI_STATUS efi_net_tls_ca_add(const void *buf, uint64_t size, const char *name)
{
	static char err[300];
	UINTN have = tls_ca_size(), n;
	UINT32 attr = EFI_VARIABLE_BOOTSERVICE_ACCESS;
	uint64_t cap;
	size_t len;
	unsigned certs;
	uint8_t *esl = NULL;
	EFI_STATUS st;

	if (size > (16u << 20))
		return efi_fail(EFI_BAD_BUFFER_SIZE, "net", "%s: %llu bytes, more than the limit of 16 MiB for a CA file",
				name, (unsigned long long)size);
	cap = size + TLSCA_MAX_CERTS * (TLSCA_LIST_HEADER + TLSCA_OWNER_SIZE);
	if (EFI_ERROR(efi_bs->AllocatePool(EfiLoaderData, (UINTN)cap, (void **)&esl)))
		return efi_fail(EFI_OUT_OF_RESOURCES, "net", "%s: no pool for its certificates", name);
	if (tlsca_to_esl(buf, (size_t)size, tls_ca_owner, esl, (size_t)cap, &len, &certs, name, err, sizeof(err)) !=
	    RT_OK) {
		efi_bs->FreePool(esl);
		return efi_fail(EFI_INVALID_PARAMETER, "net", "%s", err);
	}
	/* the firmware's own list stays: added to, with its attributes */
	if (have) {
		void *old = NULL;
		n = have;
		if (EFI_ERROR(efi_bs->AllocatePool(EfiLoaderData, n, &old)) ||
		    EFI_ERROR(efi_rs->GetVariable(L"TlsCaCertificate", &tls_ca_guid, &attr, &n, old)))
			attr = EFI_VARIABLE_BOOTSERVICE_ACCESS;
		attr |= EFI_VARIABLE_APPEND_WRITE;
		if (old)
			efi_bs->FreePool(old);
	}
	st = efi_rs->SetVariable(L"TlsCaCertificate", &tls_ca_guid, attr, len, esl);
	efi_bs->FreePool(esl);
	if (EFI_ERROR(st))
		return efi_fail(st, "net", "%s: the firmware did not take its certificates (SetVariable TlsCaCertificate)",
				name);
	rt_info("net", "%s: %u CA certificate%s given to the firmware's TLS (TlsCaCertificate: %llu bytes now)", name,
		certs, certs == 1 ? "" : "s", (unsigned long long)tls_ca_size());
	return EFI_SUCCESS;
}
