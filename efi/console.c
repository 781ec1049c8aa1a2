/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * console.c - where efikexec's words go before ExitBootServices.
 *
 * Log lines go to ConOut. They also go to the first serial port, unless
 * ConOut already reaches a UART (the ConOut variable's device path holds a
 * UART node, UEFI 2.10 10.3.4.11), as on OVMF/AAVMF with a serial console:
 * writing twice would print every line twice on that port. After
 * ExitBootServices the arch code writes to the UART itself.
 */
#include "efi.h"
#include "../lib/cmdline.h"

static EFI_SERIAL_IO_PROTOCOL *serial;

static void con_write(const char *s)
{
	CHAR16 buf[256];
	size_t n = 0;

	/* Convert in pieces, turning \n into the \r\n a console expects. */
	while (*s) {
		char chunk[120];
		size_t k = 0;
		while (*s && *s != '\n' && k + 5 < sizeof(chunk))
			chunk[k++] = *s++;
		/* finish a UTF-8 sequence cut by the chunk size (at most 3 bytes) */
		while (((unsigned char)*s & 0xc0) == 0x80 && k + 1 < sizeof(chunk))
			chunk[k++] = *s++;
		chunk[k] = '\0';
		n = utf8_to_ucs2(chunk, (uint16_t *)buf, RT_ARRAY_SIZE(buf) - 3);
		if (*s == '\n') {
			buf[n++] = u'\r';
			buf[n++] = u'\n';
			buf[n] = 0;
			s++;
		}
		if (efi_st->ConOut)
			efi_st->ConOut->OutputString(efi_st->ConOut, buf);
	}
}

static void serial_write(const char *s)
{
	while (serial && *s) {
		const char *nl = s;
		UINTN len;
		while (*nl && *nl != '\n')
			nl++;
		len = (UINTN)(nl - s);
		if (len)
			serial->Write(serial, &len, (void *)s);
		if (*nl == '\n') {
			UINTN two = 2;
			serial->Write(serial, &two, "\r\n");
			nl++;
		}
		s = nl;
	}
}

static void out(const char *s)
{
	con_write(s);
	serial_write(s);
}

void efi_console_sink(enum rt_log_level level, const char *subsys, const char *line)
{
	char buf[600];

	rt_snprintf(buf, sizeof(buf), "efikexec: %s: %s: %s\n", rt_log_level_name(level),
		    subsys, line);
	out(buf);
}

/* Does the device path list in `dp` (a multi-instance path) hold a UART? */
static bool path_has_uart(const uint8_t *dp, UINTN size)
{
	UINTN off = 0;

	while (off + 4 <= size) {
		uint8_t type = dp[off], sub = dp[off + 1];
		UINTN len = dp[off + 2] | (UINTN)dp[off + 3] << 8;
		if (type == MESSAGING_DEVICE_PATH && sub == MSG_UART_DP)
			return true;
		if (len < 4)
			break;
		off += len;
	}
	return false;
}

void efi_console_init(void)
{
	static EFI_GUID global = EFI_GLOBAL_VARIABLE;
	static EFI_GUID serial_guid = EFI_SERIAL_IO_PROTOCOL_GUID;
	uint8_t conout[1024];
	UINTN size = sizeof(conout);
	UINT32 attrs;

	if (efi_rs->GetVariable(u"ConOut", &global, &attrs, &size, conout) == EFI_SUCCESS &&
	    path_has_uart(conout, size))
		return;
	if (efi_bs->LocateProtocol(&serial_guid, NULL, (void **)&serial) != EFI_SUCCESS)
		serial = NULL;
}

void efi_puts(const char *s)
{
	out(s);
}

void efi_print(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(buf);
}

EFI_STATUS efi_fail(EFI_STATUS st, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vfail_uefi(st, subsys, fmt, ap);
	va_end(ap);
	return st;
}
