// Node's names for a certificate the client refused (OpenSSL's verification results), and the
// one it gives a name mismatch.
const CERTIFICATE_REFUSED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE', 'CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD', 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED', 'INVALID_CA',
  'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// The server's TLS alert, as Node names it: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED when a
// client certificate was wanted and none was sent, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA, and the like.
const SERVER_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_[A-Z_]{1,48}$/;

/**
 * Why an attempt got no answer, when it is worth naming to the failure callback: the error code
 * of a certificate refused on either side, or `token_unavailable`. Undefined for other failures,
 * which the status code already says (refused, reset, timed out).
 */
export function failureCause(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return code === 'token_unavailable' || CERTIFICATE_REFUSED.has(code) || SERVER_ALERT.test(code) ? code : undefined;
}
