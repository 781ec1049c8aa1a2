/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * net.h - files named by URL (efi/net.c), behind efi/file.c: a path that
 * is a URL (lib/url.h) opens, reads and closes through these.
 */
#ifndef EFIKEXEC_NET_H
#define EFIKEXEC_NET_H

#include "efi.h"

/* Opens URL: its size known (Content-Length, TFTP tsize) and at most max
 * bytes, its body not read yet (HTTP) or read whole (TFTP). */
EFI_STATUS efi_net_open(const char *url, uint64_t max, struct efi_file *f);
/* Reads len bytes at off (any order; in order is one pass). */
EFI_STATUS efi_net_read(struct efi_file *f, uint64_t off, void *buf, uint64_t len);
/* Receives what no read asked for and checks the URL's #sha256= pin:
 * EFI_COMPROMISED_DATA, said, when the bytes are not the pinned ones. */
EFI_STATUS efi_net_finish(struct efi_file *f);
void efi_net_close(struct efi_file *f);
/* The URL efikexec itself was loaded from (its device path's Uri() node,
 * or its PXE base code's boot file as tftp://SERVER/FILE) and the NIC's
 * MAC address; false when it was not loaded over the network. */
bool efi_net_origin(char *url, size_t size, uint8_t *mac, uint32_t *mac_len);
/* Does the firmware have an HTTP stack on some NIC? */
bool efi_net_present(void);
/* ... a PXE base code on an IPv4 NIC (what tftp:// needs)? */
bool efi_net_pxe_present(void);
/* The CA certificates in buf (lib/tlsca.h) added to TlsCaCertificate. */
EFI_STATUS efi_net_tls_ca_add(const void *buf, uint64_t size, const char *name);
#ifdef EFIKEXEC_TEST_HOOKS
/* test builds: keep no skipped range nor small read past the head, so an
 * out-of-order read starts the transfer over (EFIKEXEC_TEST_NET_KEEP_NOTHING) */
extern bool efi_net_test_keep_nothing;
/* test builds: files open through a PXE base code efikexec started and
 * has not stopped (0, and none started, when nothing is left behind) */
bool efi_net_test_pxe_held(unsigned *users);
#endif

#endif
