#include "medcrypt/Envelope.h"

#include "medcrypt/Error.h"
#include "medcrypt/KeyDerivation.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace medcrypt
{

namespace
{

using CmsPointer = std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)>;
using BioPointer = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Pointer = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPointer = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

/** The text of OpenSSL's most recent error (and an empty error queue afterwards). */
std::string
TakeOpenSslError()
{
  const unsigned long code = ERR_peek_last_error();
  std::string text;
  if (code != 0)
  {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text = buffer;
  }
  ERR_clear_error();
  return text;
}

[[noreturn]] void
OpenSslFailure(const std::string & what)
{
  throw std::runtime_error("OpenSSL: " + what + " failed: " + TakeOpenSslError());
}

BioPointer
ReadOnlyMemoryBio(ByteView bytes)
{
  // BIO_new_mem_buf refuses a null pointer even for zero bytes.
  static const std::uint8_t nothing = 0;
  const void * data = bytes.empty() ? &nothing : bytes.data();
  BioPointer bio(BIO_new_mem_buf(data, static_cast<int>(bytes.size())), &BIO_free);
  if (!bio)
  {
    OpenSslFailure("BIO_new_mem_buf");
  }
  return bio;
}

std::vector<std::uint8_t>
MemoryBioContents(BIO * bio)
{
  char * data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0)
  {
    return {};
  }
  return std::vector<std::uint8_t>(reinterpret_cast<std::uint8_t *>(data),
                                   reinterpret_cast<std::uint8_t *>(data) + length);
}

X509Pointer
ReadCertificate(const std::string & path)
{
  BioPointer file(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!file)
  {
    ERR_clear_error();
    throw UserError(path + ": cannot open the certificate file; check the path and its permissions");
  }
  X509Pointer certificate(PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate)
  {
    ERR_clear_error();
    throw UserError(path + ": is not a PEM X.509 certificate (\"-----BEGIN CERTIFICATE-----\"); convert a DER "
                           "certificate with 'openssl x509 -inform DER -in CERT -out CERT.pem'");
  }
  return certificate;
}

// Never prompt on the terminal for a passphrase: refuse encrypted keys instead.
int
RefusePassphrase(char *, int, int, void *)
{
  return -1;
}

KeyPointer
ReadPrivateKey(const std::string & path)
{
  BioPointer file(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!file)
  {
    ERR_clear_error();
    throw UserError(path + ": cannot open the private key file; check the path and its permissions");
  }
  KeyPointer key(PEM_read_bio_PrivateKey(file.get(), nullptr, &RefusePassphrase, nullptr), &EVP_PKEY_free);
  if (!key)
  {
    ERR_clear_error();
    throw UserError(path + ": is not an unencrypted PEM private key; if it is protected by a passphrase, write a "
                           "plain copy on a trusted machine with 'openssl pkey -in KEY -out PLAIN.pem'");
  }
  return key;
}

void
CheckSize(ByteView bytes, const std::string & origin, const char * what)
{
  if (bytes.size() > MaximumEnvelopeBytes)
  {
    throw UserError(origin + ": the " + std::string(what) +
                    " is larger than 2 GiB, which the exact envelope does not handle; encrypt the series file by file "
                    "or use --neural-only");
  }
}

/** Parses DER CMS and checks it is an AuthEnvelopedData of id-data content. */
CmsPointer
ParseEnvelope(ByteView envelope, const std::string & origin)
{
  CheckSize(envelope, origin, "envelope");
  const unsigned char * cursor = envelope.data();
  CmsPointer cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(envelope.size())), &CMS_ContentInfo_free);
  if (!cms)
  {
    ERR_clear_error();
    throw UserError(origin + ": is not a MedCrypt exact envelope (not DER-encoded CMS); give the envelope written "
                             "by 'medcrypt encrypt' (the .mcenvelope sidecar or the DICOM Encrypted Content)");
  }
  const std::size_t used = static_cast<std::size_t>(cursor - envelope.data());
  const std::size_t trailing = envelope.size() - used;
  if (trailing > 1 || (trailing == 1 && envelope[used] != 0))
  {
    throw UserError(origin + ": " + std::to_string(trailing) +
                    " bytes follow the end of the exact envelope: it is damaged; copy it again from its source");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_id_smime_ct_authEnvelopedData)
  {
    throw UserError(origin + ": is CMS but not AuthEnvelopedData (RFC 5083); MedCrypt envelopes are authenticated "
                             "(AES-256-GCM). Was it written by another program?");
  }
  // The inner content type is not covered by the GCM tag (RFC 5083 without authenticated attributes):
  // refuse anything but the id-data MedCrypt writes.
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data)
  {
    throw AuthenticationError(origin, "the inner content type is not id-data");
  }
  return cms;
}

std::vector<std::uint8_t>
DecryptContent(CMS_ContentInfo * cms, EVP_PKEY * privateKey, X509 * certificate, const std::string & origin)
{
  BioPointer output(BIO_new(BIO_s_mem()), &BIO_free);
  if (!output)
  {
    OpenSslFailure("BIO_new");
  }
  if (CMS_decrypt(cms, privateKey, certificate, nullptr, output.get(), CMS_BINARY) != 1)
  {
    const bool noRecipient = ERR_GET_REASON(ERR_peek_last_error()) == CMS_R_NO_MATCHING_RECIPIENT;
    ERR_clear_error();
    throw AuthenticationError(origin, noRecipient ? "the certificate is not a recipient of this envelope" : "");
  }
  return MemoryBioContents(output.get());
}

/** Adds a recipient for `certificate`: RSA keys get RSAES-OAEP with SHA-256 and MGF1-SHA-256
 * (OpenSSL's default would be PKCS #1 v1.5), EC keys ephemeral-static ECDH with the SHA-256 X9.63 KDF
 * (the default would be SHA-1), both wrapping the content key with AES-256 key wrap. */
void
AddCertificateRecipient(CMS_ContentInfo * cms, X509 * certificate, const std::string & path)
{
  CMS_RecipientInfo * recipient = CMS_add1_recipient_cert(cms, certificate, CMS_KEY_PARAM);
  if (recipient == nullptr)
  {
    const std::string reason = TakeOpenSslError();
    throw UserError(path + ": cannot encrypt for this certificate (" + reason +
                    "); give an RSA or EC certificate whose key may be used for encryption");
  }
  EVP_PKEY_CTX * context = CMS_RecipientInfo_get0_pkey_ctx(recipient);
  EVP_PKEY * key = X509_get0_pubkey(certificate);
  bool configured = context != nullptr && key != nullptr;
  if (configured && EVP_PKEY_is_a(key, "RSA"))
  {
    configured = EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING) > 0 &&
                 EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256()) > 0 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256()) > 0;
  }
  else if (configured && EVP_PKEY_is_a(key, "EC"))
  {
    configured = EVP_PKEY_CTX_set_ecdh_kdf_md(context, EVP_sha256()) > 0;
  }
  if (!configured)
  {
    const std::string reason = TakeOpenSslError();
    throw UserError(path + ": cannot set up encryption for this certificate's key (" + reason +
                    "); give an RSA or EC certificate");
  }
}

} // namespace

std::vector<std::uint8_t>
SealEnvelope(ByteView plaintext, const UserKey & key, const std::vector<std::string> & recipientCertificateFiles)
{
  CheckSize(plaintext, "the exact envelope being written", "plaintext");
  std::vector<X509Pointer> certificates;
  for (const std::string & path : recipientCertificateFiles)
  {
    certificates.push_back(ReadCertificate(path));
  }

  CmsPointer cms(CMS_AuthEnvelopedData_create(EVP_aes_256_gcm()), &CMS_ContentInfo_free);
  if (!cms)
  {
    OpenSslFailure("CMS_AuthEnvelopedData_create");
  }

  // CMS_add0_recipient_key takes ownership of the key and the identifier (OPENSSL_malloc'ed); the
  // key is wiped when the CMS structure is freed.
  const SecretBytes kek = DeriveSubkey(key, KeyEncryptionKeyInfo);
  auto * ownedKey = static_cast<unsigned char *>(OPENSSL_malloc(kek.size()));
  auto * ownedId = static_cast<unsigned char *>(OPENSSL_malloc(EnvelopeKekIdentifier.size()));
  if (ownedKey == nullptr || ownedId == nullptr)
  {
    OPENSSL_free(ownedKey);
    OPENSSL_free(ownedId);
    throw std::bad_alloc();
  }
  std::memcpy(ownedKey, kek.data(), kek.size());
  std::memcpy(ownedId, EnvelopeKekIdentifier.data(), EnvelopeKekIdentifier.size());
  if (CMS_add0_recipient_key(cms.get(),
                             NID_id_aes256_wrap,
                             ownedKey,
                             kek.size(),
                             ownedId,
                             EnvelopeKekIdentifier.size(),
                             nullptr,
                             nullptr,
                             nullptr) == nullptr)
  {
    OPENSSL_clear_free(ownedKey, kek.size());
    OPENSSL_free(ownedId);
    OpenSslFailure("CMS_add0_recipient_key");
  }

  for (std::size_t i = 0; i < certificates.size(); ++i)
  {
    AddCertificateRecipient(cms.get(), certificates[i].get(), recipientCertificateFiles[i]);
  }

  // Embed the encrypted content (otherwise CMS_final treats it as detached and writes none).
  if (CMS_set_detached(cms.get(), 0) != 1)
  {
    OpenSslFailure("CMS_set_detached");
  }
  BioPointer input = ReadOnlyMemoryBio(plaintext);
  if (CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY) != 1)
  {
    OpenSslFailure("CMS_final (AuthEnvelopedData)");
  }

  unsigned char * der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (length <= 0)
  {
    OpenSslFailure("i2d_CMS_ContentInfo");
  }
  std::vector<std::uint8_t> result(der, der + length);
  OPENSSL_free(der);
  return result;
}

std::vector<std::uint8_t>
OpenEnvelope(ByteView envelope, const UserKey & key, const std::string & origin)
{
  CmsPointer cms = ParseEnvelope(envelope, origin);

  bool hasKekRecipient = false;
  STACK_OF(CMS_RecipientInfo) * recipients = CMS_get0_RecipientInfos(cms.get());
  for (int i = 0; recipients != nullptr && i < sk_CMS_RecipientInfo_num(recipients); ++i)
  {
    CMS_RecipientInfo * recipient = sk_CMS_RecipientInfo_value(recipients, i);
    if (CMS_RecipientInfo_type(recipient) == CMS_RECIPINFO_KEK &&
        CMS_RecipientInfo_kekri_id_cmp(recipient,
                                       reinterpret_cast<const unsigned char *>(EnvelopeKekIdentifier.data()),
                                       EnvelopeKekIdentifier.size()) == 0)
    {
      hasKekRecipient = true;
    }
  }
  if (!hasKekRecipient)
  {
    throw UserError(origin + ": the exact envelope has no recipient for a MedCrypt user key; open it with the "
                             "certificate and private key it was sealed for");
  }

  SecretBytes kek = DeriveSubkey(key, KeyEncryptionKeyInfo);
  if (CMS_decrypt_set1_key(cms.get(),
                           kek.data(),
                           kek.size(),
                           reinterpret_cast<const unsigned char *>(EnvelopeKekIdentifier.data()),
                           EnvelopeKekIdentifier.size()) != 1)
  {
    ERR_clear_error();
    throw AuthenticationError(origin, "the key-encryption key does not unwrap the content key");
  }
  return DecryptContent(cms.get(), nullptr, nullptr, origin);
}

std::vector<std::uint8_t>
OpenEnvelopeWithPrivateKey(ByteView envelope,
                           const std::string & certificateFile,
                           const std::string & privateKeyFile,
                           const std::string & origin)
{
  X509Pointer certificate = ReadCertificate(certificateFile);
  KeyPointer privateKey = ReadPrivateKey(privateKeyFile);
  if (X509_check_private_key(certificate.get(), privateKey.get()) != 1)
  {
    ERR_clear_error();
    throw UserError(privateKeyFile + ": this private key does not belong to the certificate " + certificateFile +
                    "; give the key pair that was issued together");
  }
  CmsPointer cms = ParseEnvelope(envelope, origin);
  return DecryptContent(cms.get(), privateKey.get(), certificate.get(), origin);
}

} // namespace medcrypt
