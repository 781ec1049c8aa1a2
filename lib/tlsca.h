/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * tlsca.h - CA certificates for the firmware's TLS: PEM or DER X.509 made
 * into the EFI_SIGNATURE_LISTs that EDK II's HttpDxe reads from the
 * TlsCaCertificate variable (UEFI 2.10 32.4.1: EFI_SIGNATURE_LIST,
 * EFI_CERT_X509_GUID), one list a certificate, as virt-fw-sigdb writes
 * them. Plain code: host-tested against virt-fw-sigdb, fuzzed.
 */
#ifndef EFIKEXEC_TLSCA_H
#define EFIKEXEC_TLSCA_H

#include "rt.h"

#define TLSCA_MAX_CERTS 64
#define TLSCA_LIST_HEADER 28  /* SignatureType, ListSize, HeaderSize, SignatureSize */
#define TLSCA_OWNER_SIZE 16   /* EFI_SIGNATURE_DATA's SignatureOwner */

/* The signature lists of the certificates in `in` (len bytes): a DER
 * certificate, or text with one or more PEM "CERTIFICATE" blocks (other
 * blocks are skipped), each certificate owned by `owner` (16 bytes, EFI
 * GUID layout). out gets at most cap bytes; *outlen and *ncerts what was
 * written. RT_EINVAL with err naming `name`, the value and the limit: no
 * certificate, bad base64, a DER length that does not match, more than
 * TLSCA_MAX_CERTS; RT_E2BIG when cap is too small (len + 44 per
 * certificate always suffices). */
rt_status tlsca_to_esl(const uint8_t *in, size_t len, const uint8_t owner[16], uint8_t *out, size_t cap,
		       size_t *outlen, unsigned *ncerts, const char *name, char *err, size_t errsize);

#endif
