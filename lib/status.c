/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * status.c - rt_status as the UEFI status a front end returns for it, and
 * UEFI statuses by name (UEFI 2.10, Appendix D "Status Codes"): plain
 * numbers and strings, so boot/ can end its messages the way efi/'s end
 * ("...: EFI_OUT_OF_RESOURCES") and the host tools print the same lines.
 */
#include "rt.h"

#define ERR(n) (RT_UEFI_ERROR | (n))

uint64_t rt_status_uefi(rt_status st)
{
	switch (st) {
	case RT_OK: return 0;
	case RT_ENOMEM:
	case RT_ENOSPC: return ERR(9);   /* EFI_OUT_OF_RESOURCES */
	case RT_ENOEXEC: return ERR(1);  /* EFI_LOAD_ERROR */
	case RT_ETRUNC: return ERR(31);  /* EFI_END_OF_FILE */
	case RT_E2BIG: return ERR(4);    /* EFI_BAD_BUFFER_SIZE */
	case RT_ENOTSUP: return ERR(3);  /* EFI_UNSUPPORTED */
	case RT_EDIGEST: return ERR(33); /* EFI_COMPROMISED_DATA */
	case RT_EALLOC: return ERR(7);   /* EFI_DEVICE_ERROR */
	case RT_EACCES: return ERR(15);  /* EFI_ACCESS_DENIED */
	default: return ERR(2);          /* EFI_INVALID_PARAMETER */
	}
}

const char *rt_uefi_status_name(uint64_t st)
{
	static const char *const errors[] = {
		[1] = "EFI_LOAD_ERROR", [2] = "EFI_INVALID_PARAMETER", [3] = "EFI_UNSUPPORTED",
		[4] = "EFI_BAD_BUFFER_SIZE", [5] = "EFI_BUFFER_TOO_SMALL", [6] = "EFI_NOT_READY",
		[7] = "EFI_DEVICE_ERROR", [8] = "EFI_WRITE_PROTECTED", [9] = "EFI_OUT_OF_RESOURCES",
		[10] = "EFI_VOLUME_CORRUPTED", [11] = "EFI_VOLUME_FULL", [12] = "EFI_NO_MEDIA",
		[13] = "EFI_MEDIA_CHANGED", [14] = "EFI_NOT_FOUND", [15] = "EFI_ACCESS_DENIED",
		[16] = "EFI_NO_RESPONSE", [17] = "EFI_NO_MAPPING", [18] = "EFI_TIMEOUT",
		[19] = "EFI_NOT_STARTED", [20] = "EFI_ALREADY_STARTED", [21] = "EFI_ABORTED",
		[22] = "EFI_ICMP_ERROR", [23] = "EFI_TFTP_ERROR", [24] = "EFI_PROTOCOL_ERROR",
		[25] = "EFI_INCOMPATIBLE_VERSION", [26] = "EFI_SECURITY_VIOLATION",
		[27] = "EFI_CRC_ERROR", [28] = "EFI_END_OF_MEDIA", [31] = "EFI_END_OF_FILE",
		[32] = "EFI_INVALID_LANGUAGE", [33] = "EFI_COMPROMISED_DATA",
		[34] = "EFI_IP_ADDRESS_CONFLICT", [35] = "EFI_HTTP_ERROR",
		/* the network's (TCP and ICMP): UEFI 2.10, Appendix D */
		[100] = "EFI_NETWORK_UNREACHABLE", [101] = "EFI_HOST_UNREACHABLE",
		[102] = "EFI_PROTOCOL_UNREACHABLE", [103] = "EFI_PORT_UNREACHABLE",
		[104] = "EFI_CONNECTION_FIN", [105] = "EFI_CONNECTION_RESET", [106] = "EFI_CONNECTION_REFUSED",
	};
	uint64_t n = st & ~RT_UEFI_ERROR;

	if (!st)
		return "EFI_SUCCESS";
	if ((st & RT_UEFI_ERROR) && n < RT_ARRAY_SIZE(errors) && errors[n])
		return errors[n];
	return "EFI status unknown";
}

void rt_vfail_uefi(uint64_t uefi, const char *subsys, const char *fmt, va_list ap)
{
	char buf[512];

	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	rt_log(RT_LOG_ERR, subsys, "%s: %s", buf, rt_uefi_status_name(uefi));
}

rt_status rt_fail_uefi(rt_status st, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vfail_uefi(rt_status_uefi(st), subsys, fmt, ap);
	va_end(ap);
	return st;
}
