#ifndef medcrypt_KeyDerivation_h
#define medcrypt_KeyDerivation_h

#include "medcrypt/ByteView.h"
#include "medcrypt/UserKey.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** HKDF info of the key that seals the cipher header (AES-256-GCM, docs/format.md). */
inline constexpr std::string_view HeaderKeyInfo = "medcrypt/header";
/** HKDF info of the key-encryption key of the exact envelope's KEK recipient (CMS, docs/format.md). */
inline constexpr std::string_view KeyEncryptionKeyInfo = "medcrypt/kek";
/** HKDF info of the secret behind the deterministic new DICOM UIDs (HMAC-SHA256, scheme section 6). */
inline constexpr std::string_view UidKeyInfo = "medcrypt/uid";

/** Bytes that hold key material: a fixed-size buffer wiped with OPENSSL_cleanse when it dies (and
 * before it is overwritten by an assignment). It never grows, so no copy is left behind by a
 * reallocation; moving transfers the buffer and leaves the source empty. */
class SecretBytes
{
public:
  /** `size` zero bytes. */
  explicit SecretBytes(std::size_t size = 0);
  /** A copy of `bytes`. */
  explicit SecretBytes(ByteView bytes);
  SecretBytes(const SecretBytes & other);
  SecretBytes(SecretBytes && other) noexcept;
  SecretBytes &
  operator=(const SecretBytes & other);
  SecretBytes &
  operator=(SecretBytes && other) noexcept;
  ~SecretBytes();

  std::uint8_t *
  data()
  {
    return m_Bytes.data();
  }
  const std::uint8_t *
  data() const
  {
    return m_Bytes.data();
  }
  std::size_t
  size() const
  {
    return m_Bytes.size();
  }
  bool
  empty() const
  {
    return m_Bytes.empty();
  }
  std::uint8_t *
  begin()
  {
    return m_Bytes.data();
  }
  std::uint8_t *
  end()
  {
    return m_Bytes.data() + m_Bytes.size();
  }
  const std::uint8_t *
  begin() const
  {
    return m_Bytes.data();
  }
  const std::uint8_t *
  end() const
  {
    return m_Bytes.data() + m_Bytes.size();
  }
  std::uint8_t &
  operator[](std::size_t i)
  {
    return m_Bytes[i];
  }
  std::uint8_t
  operator[](std::size_t i) const
  {
    return m_Bytes[i];
  }

  /** A view of the bytes (valid while this object lives and is not assigned to). */
  ByteView
  View() const
  {
    return ByteView(m_Bytes.data(), m_Bytes.size());
  }

  /** Wipes the bytes and makes the buffer empty. */
  void
  Clear();

private:
  std::vector<std::uint8_t> m_Bytes;
};

/** HKDF-SHA256 of RFC 5869: `length` bytes (at most 255 * 32) from input keying material `ikm`.
 * An empty `salt` means "salt not provided" (RFC 5869 then uses 32 zero bytes, which HMAC treats
 * exactly like an empty key). Throws std::invalid_argument for length 0 or > 8160. */
SecretBytes
HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

/** A 32-byte subkey of the user key: HKDF-SHA256(IKM = b1..b4 as 32 big-endian bytes, no salt,
 * info, L = 32). MedCrypt uses the infos HeaderKeyInfo, KeyEncryptionKeyInfo and UidKeyInfo, so that
 * each purpose has an independent key. (mu and the burn-in do not enter: they shape the logistic
 * sequence, not the secret.) */
SecretBytes
DeriveSubkey(const UserKey & key, std::string_view info);

} // namespace medcrypt

#endif
