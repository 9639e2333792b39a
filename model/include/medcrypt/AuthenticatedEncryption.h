#ifndef medcrypt_AuthenticatedEncryption_h
#define medcrypt_AuthenticatedEncryption_h

#include "medcrypt/ByteView.h"
#include "medcrypt/Error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt
{

/** Opening sealed data failed its authentication: the key is not the one it was sealed with, or the
 * bytes were changed after sealing. Nothing was decrypted. The message names the file and says
 * "wrong key or tampered data". */
class AuthenticationError : public UserError
{
public:
  /** `origin` names the file; `detail`, when given, is added in parentheses. */
  explicit AuthenticationError(const std::string & origin, const std::string & detail = std::string());
};

/** AES-256-GCM sizes (NIST SP 800-38D): 32-byte key, 96-bit nonce, 128-bit tag. */
inline constexpr std::size_t Aes256KeySize = 32;
inline constexpr std::size_t GcmNonceSize = 12;
inline constexpr std::size_t GcmTagSize = 16;

/** The three outputs of AES-256-GCM sealing. The ciphertext has the length of the plaintext. */
struct GcmSealed
{
  std::array<std::uint8_t, GcmNonceSize> nonce{};
  std::vector<std::uint8_t> ciphertext;
  std::array<std::uint8_t, GcmTagSize> tag{};
};

/** Encrypts `plaintext` with AES-256-GCM under a 32-byte `key` and a fresh random 96-bit nonce
 * (OpenSSL RAND_bytes) and authenticates it together with `additionalData` (which is not
 * encrypted). Throws std::invalid_argument for a key that is not 32 bytes. */
GcmSealed
SealAes256Gcm(ByteView key, ByteView plaintext, ByteView additionalData);

/** Decrypts and verifies what SealAes256Gcm produced, with the same key and additional data.
 * Throws AuthenticationError (naming `origin`) when the tag does not match: wrong key, or any bit of
 * nonce, ciphertext, tag or additional data changed. No plaintext is returned in that case. */
std::vector<std::uint8_t>
OpenAes256Gcm(ByteView key, const GcmSealed & sealed, ByteView additionalData, const std::string & origin);

namespace detail
{
/** SealAes256Gcm with a caller-chosen nonce, for known-answer tests only: reusing a nonce under one
 * key destroys GCM's security. */
GcmSealed
SealAes256GcmWithNonce(ByteView key,
                       const std::array<std::uint8_t, GcmNonceSize> & nonce,
                       ByteView plaintext,
                       ByteView additionalData);
} // namespace detail

} // namespace medcrypt

#endif
