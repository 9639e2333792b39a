#include "medcrypt/AuthenticatedEncryption.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace medcrypt
{

AuthenticationError::AuthenticationError(const std::string & origin, const std::string & detail)
  : UserError(origin + ": wrong key or tampered data" + (detail.empty() ? std::string() : " (" + detail + ")") +
              ": authentication failed, nothing was decrypted. Use the key the file was encrypted with; if that is "
              "the key you used, the file was altered after encryption")
{
}

namespace
{

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext
NewContext()
{
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context)
  {
    throw std::runtime_error("OpenSSL: cannot create a cipher context");
  }
  return context;
}

void
CheckKey(ByteView key)
{
  if (key.size() != Aes256KeySize)
  {
    throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
  }
}

// EVP_*Update take int lengths: feed large buffers in pieces.
constexpr std::size_t MaximumChunk = std::size_t{ 1 } << 30;

} // namespace

namespace detail
{

GcmSealed
SealAes256GcmWithNonce(ByteView key,
                       const std::array<std::uint8_t, GcmNonceSize> & nonce,
                       ByteView plaintext,
                       ByteView additionalData)
{
  CheckKey(key);
  CipherContext context = NewContext();
  GcmSealed sealed;
  sealed.nonce = nonce;
  sealed.ciphertext.resize(plaintext.size());
  int length = 0;
  if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(GcmNonceSize), nullptr) != 1 ||
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key.data(), sealed.nonce.data()) != 1)
  {
    throw std::runtime_error("OpenSSL: AES-256-GCM initialisation failed");
  }
  for (std::size_t done = 0; done < additionalData.size(); done += MaximumChunk)
  {
    const std::size_t n = std::min(MaximumChunk, additionalData.size() - done);
    if (EVP_EncryptUpdate(context.get(), nullptr, &length, additionalData.data() + done, static_cast<int>(n)) != 1)
    {
      throw std::runtime_error("OpenSSL: AES-256-GCM failed on the additional data");
    }
  }
  for (std::size_t done = 0; done < plaintext.size(); done += MaximumChunk)
  {
    const std::size_t n = std::min(MaximumChunk, plaintext.size() - done);
    if (EVP_EncryptUpdate(
          context.get(), sealed.ciphertext.data() + done, &length, plaintext.data() + done, static_cast<int>(n)) != 1)
    {
      throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
    }
  }
  if (EVP_EncryptFinal_ex(context.get(), nullptr, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(GcmTagSize), sealed.tag.data()) != 1)
  {
    throw std::runtime_error("OpenSSL: AES-256-GCM finalisation failed");
  }
  return sealed;
}

} // namespace detail

GcmSealed
SealAes256Gcm(ByteView key, ByteView plaintext, ByteView additionalData)
{
  std::array<std::uint8_t, GcmNonceSize> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
  {
    throw std::runtime_error("OpenSSL RAND_bytes failed: the system has no usable random source");
  }
  return detail::SealAes256GcmWithNonce(key, nonce, plaintext, additionalData);
}

std::vector<std::uint8_t>
OpenAes256Gcm(ByteView key, const GcmSealed & sealed, ByteView additionalData, const std::string & origin)
{
  CheckKey(key);
  CipherContext context = NewContext();
  std::vector<std::uint8_t> plaintext(sealed.ciphertext.size());
  int length = 0;
  auto tag = sealed.tag;
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(GcmNonceSize), nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key.data(), sealed.nonce.data()) != 1)
  {
    throw std::runtime_error("OpenSSL: AES-256-GCM initialisation failed");
  }
  for (std::size_t done = 0; done < additionalData.size(); done += MaximumChunk)
  {
    const std::size_t n = std::min(MaximumChunk, additionalData.size() - done);
    if (EVP_DecryptUpdate(context.get(), nullptr, &length, additionalData.data() + done, static_cast<int>(n)) != 1)
    {
      throw std::runtime_error("OpenSSL: AES-256-GCM failed on the additional data");
    }
  }
  for (std::size_t done = 0; done < sealed.ciphertext.size(); done += MaximumChunk)
  {
    const std::size_t n = std::min(MaximumChunk, sealed.ciphertext.size() - done);
    if (EVP_DecryptUpdate(
          context.get(), plaintext.data() + done, &length, sealed.ciphertext.data() + done, static_cast<int>(n)) != 1)
    {
      throw std::runtime_error("OpenSSL: AES-256-GCM decryption failed");
    }
  }
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(GcmTagSize), tag.data()) != 1)
  {
    throw std::runtime_error("OpenSSL: cannot set the AES-256-GCM tag");
  }
  if (EVP_DecryptFinal_ex(context.get(), nullptr, &length) != 1)
  {
    // Do not hand back (or leave in memory) plaintext that failed authentication.
    if (!plaintext.empty())
    {
      OPENSSL_cleanse(plaintext.data(), plaintext.size());
    }
    throw AuthenticationError(origin);
  }
  return plaintext;
}

} // namespace medcrypt
