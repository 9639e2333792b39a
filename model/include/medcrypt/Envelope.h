#ifndef medcrypt_Envelope_h
#define medcrypt_Envelope_h

#include "medcrypt/AuthenticatedEncryption.h"
#include "medcrypt/ByteView.h"
#include "medcrypt/UserKey.h"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** The key identifier (KEKIdentifier.keyIdentifier) of the KEK recipient: the 15 ASCII bytes
 * "medcrypt/kek/v1". It is the same for every key on purpose: an identifier derived from the key
 * would let anyone link the envelopes of one user. */
inline constexpr std::string_view EnvelopeKekIdentifier = "medcrypt/kek/v1";

/** The largest envelope (and plaintext) handled: OpenSSL's memory BIOs take int lengths. */
inline constexpr std::size_t MaximumEnvelopeBytes = static_cast<std::size_t>(INT_MAX);

/** Seals `plaintext` into the exact envelope (docs/format.md, "Exact envelope"): a DER-encoded CMS
 * ContentInfo (RFC 5652) of type AuthEnvelopedData (RFC 5083) whose content is encrypted with
 * AES-256-GCM (RFC 5084, fresh random key and 96-bit nonce, 16-byte tag). Recipients: always a KEK
 * recipient whose key-encryption key is DeriveSubkey(key, KeyEncryptionKeyInfo) (AES-256 key wrap,
 * RFC 3394), identified by EnvelopeKekIdentifier; and one recipient per X.509 certificate in
 * `recipientCertificateFiles` (PEM files; RSA keys give key-transport, EC keys key-agreement
 * recipients). Throws UserError for an unreadable certificate or a plaintext over
 * MaximumEnvelopeBytes. */
std::vector<std::uint8_t>
SealEnvelope(ByteView plaintext, const UserKey & key, const std::vector<std::string> & recipientCertificateFiles = {});

/** Opens an envelope with the user key (its KEK recipient). `origin` names the input in errors.
 * Throws UserError for bytes that are not a MedCrypt envelope (not DER CMS, not AuthEnvelopedData,
 * no KEK recipient) and AuthenticationError for a wrong key or changed bytes. One trailing zero byte
 * (the padding of an odd-length DICOM OB value) is accepted. */
std::vector<std::uint8_t>
OpenEnvelope(ByteView envelope, const UserKey & key, const std::string & origin);

/** Opens an envelope with a recipient's certificate and its private key (PEM files; the private key
 * must not be passphrase-protected). Throws UserError for unreadable files or a key that does not
 * belong to the certificate, and AuthenticationError when the certificate is not a recipient of the
 * envelope or the bytes were changed. */
std::vector<std::uint8_t>
OpenEnvelopeWithPrivateKey(ByteView envelope,
                           const std::string & certificateFile,
                           const std::string & privateKeyFile,
                           const std::string & origin);

} // namespace medcrypt

#endif
