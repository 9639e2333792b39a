#ifndef medcrypt_DicomImageCipher_h
#define medcrypt_DicomImageCipher_h

// One DICOM image through the cipher: network encryption of every frame and channel, the sealed header
// and the exact envelope on the encrypted dataset; the restore from the envelope; the --verify check.

#include "EncryptedDatasetBuilder.h"
#include "RestoredDatasetBuilder.h"

#include "medcrypt/ByteView.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace medcrypt::cli::tree
{

/** What encrypting DICOM images needs; shared read-only by all worker threads. */
struct DicomEncryptionContext
{
  /** `model` must not be null; the UID secret is derived from `key`. */
  DicomEncryptionContext(const UserKey & key,
                         std::shared_ptr<const NeuralCipher> model,
                         KeySchedule schedule,
                         std::vector<std::string> recipientCertificates);

  UserKey key;
  std::shared_ptr<const NeuralCipher> model;
  KeySchedule schedule;
  /** PEM certificates that may open the exact envelope besides the user key. */
  std::vector<std::string> recipientCertificates;
  /** New UIDs: DeriveUid under DeriveSubkey(key, UidKeyInfo). */
  dicom::EncryptedDatasetBuilder builder;
};

/** Encrypts one DICOM image (scheme sections 5 and 6): decodes the stored values; runs the cipher network
 * over all frames x channels as one 3-D image whose slice frame * samplesPerPixel + channel is one
 * channel of one frame (so one cipher header covers the file and the ciphertext planes are in the order
 * of the encrypted Pixel Data); puts the original pixel module attributes and UIDs
 * (CollectModifiedAttributes without Pixel Data) into the sealed header's originalAttributes; seals the
 * exact envelope (the Modified Attributes item with the original Pixel Data) for the key and the
 * recipients; and builds the encrypted dataset. The same file, key and model always give the same UIDs
 * and ciphertext pixels. Throws UnsupportedPixelDataError or UserError naming `origin`. */
std::unique_ptr<DcmFileFormat>
EncryptDicomImage(DcmFileFormat & original, const DicomEncryptionContext & context, const std::string & origin);

/** Opens exact envelopes: with the user key (its KEK recipient) or with a recipient certificate and its
 * private key (PEM files). */
class EnvelopeOpener
{
public:
  /** Opens with the user key. */
  static EnvelopeOpener
  WithKey(const UserKey & key);

  /** Opens with a recipient's certificate and private key. */
  static EnvelopeOpener
  WithPrivateKey(std::string certificateFile, std::string privateKeyFile);

  /** The plaintext of `envelope`; throws AuthenticationError for a wrong key or changed bytes. */
  std::vector<std::uint8_t>
  Open(ByteView envelope, const std::string & origin) const;

private:
  std::optional<UserKey> m_Key;
  std::string m_CertificateFile;
  std::string m_PrivateKeyFile;
};

/** Restores the original of an encrypted DICOM image from its exact envelope. Throws UserError naming
 * `origin` when the file has no MedCrypt block or no envelope, AuthenticationError when the envelope
 * does not open. */
dicom::RestoredFile
RestoreDicomImage(DcmFileFormat & encrypted, const EnvelopeOpener & opener, const std::string & origin);

/** The --verify check of an encrypted file written at `encryptedFile`: reads it back, opens its cipher
 * header with `key` and compares the header's pixel digest with the SHA-256 of the Pixel Data as
 * written, restores it from its envelope, and compares the restored dataset with `original`, both
 * encoded in the original transfer syntax (every attribute and the Pixel Data, byte for byte). Throws
 * UserError naming `origin` and the first difference. */
void
VerifyEncryptedFile(const std::filesystem::path & encryptedFile,
                    DcmFileFormat & original,
                    const UserKey & key,
                    const std::string & origin);

} // namespace medcrypt::cli::tree

#endif
