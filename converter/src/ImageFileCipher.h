#ifndef medcrypt_ImageFileCipher_h
#define medcrypt_ImageFileCipher_h

// Encryption and decryption of one image file with its sidecar: what `medcrypt encrypt IN OUT` and
// `medcrypt decrypt IN OUT` do for single images, shared with the 3D Slicer CLI modules
// (wrapping/slicer), which name the sidecar themselves because Slicer's temporary volumes cannot carry it.

#include "medcrypt/CipherHeader.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <cstdint>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace medcrypt::cli
{

/** Loads the user key when it is needed (after the cheap checks of the files). */
using UserKeyLoader = std::function<UserKey()>;
/** Loads the model when it is needed (after the cheap checks of the files). */
using ModelLoader = std::function<std::shared_ptr<const NeuralCipher>()>;

/** Told the fraction of the network's work done (0 to 1), tile batch by tile batch. */
using ProgressCallback = std::function<void(double)>;

/** What EncryptImageFile reads, writes and uses. */
struct ImageFileEncryption
{
  std::string input;   // the image to encrypt (2-D or 3-D, any scalar pixel type)
  std::string output;  // the ciphertext image (unsigned 16-bit)
  std::string sidecar; // the sidecar; empty: SidecarPathFor(output)
  KeySchedule schedule = KeySchedule::Hardened;
  bool exactEnvelope = true;
  std::vector<std::string> recipients; // PEM certificates that may also open the envelope
  UserKeyLoader loadKey;
  ModelLoader loadModel;
  ProgressCallback progress; // optional
};

/** What EncryptImageFile wrote. */
struct ImageFileEncryptionResult
{
  ClearHeader clear;             // the clear part of the written cipher header
  std::string sidecar;           // the sidecar path written
  std::size_t headerBytes = 0;   // size of the sealed cipher header
  std::size_t envelopeBytes = 0; // size of the exact envelope (0: none)
};

/** Encrypts `request.input` into `request.output` and its sidecar. Refuses (UserError) an output that
 * is the input, a sidecar that is the input or the output, an output format ITK cannot write in one
 * file, and an unwritable directory before it loads the key and the model. Both files are written under
 * temporary names and renamed: a failure leaves neither. */
ImageFileEncryptionResult
EncryptImageFile(const ImageFileEncryption & request);

/** What DecryptImageFile reads, writes and uses. */
struct ImageFileDecryption
{
  std::string input;        // the ciphertext image
  std::string output;       // the decrypted image, in the original pixel type and geometry
  std::string sidecar;      // the sidecar; empty: SidecarPathFor(input)
  bool networkOnly = false; // decrypt with the network even when the envelope is there
  unsigned int refinementIterations = DefaultRefinementIterations; // of the network's decryption, when intact
  UserKeyLoader loadKey;
  ModelLoader loadModel;     // called only when the network decrypts
  ProgressCallback progress; // optional
};

/** What DecryptImageFile did. */
struct ImageFileDecryptionResult
{
  bool restoredFromEnvelope = false; // true: bit-exact from the exact envelope
  bool pixelDigestMatches = true;    // false: the ciphertext pixels were changed after encryption
  std::uint64_t changedPools = 0;    // format 4: the 16 x 16 stored blocks whose digest differs
};

/** Decrypts `request.input` with its sidecar into `request.output` (written under a temporary name and
 * renamed). Refuses (UserError, nothing written) an output that is the input, a sidecar that is missing,
 * damaged or belongs to another image, a ciphertext that is not unsigned 16-bit of the sidecar's
 * dimension, a wrong key, and changed ciphertext pixels unless `networkOnly`. */
ImageFileDecryptionResult
DecryptImageFile(const ImageFileDecryption & request);

/** The warning, prefixed with `program`, that the ciphertext pixels of `request.input` changed after
 * encryption (with the number of changed 16 x 16 blocks that format 4 found); empty when they did not. */
std::string
ChangedCiphertextWarning(const std::string & program,
                         const ImageFileDecryption & request,
                         const ImageFileDecryptionResult & result);

/** "decrypted IN -> OUT (bit-exact, ...)" or "(by the network: ...)". */
std::string
DecryptionSummary(const ImageFileDecryption & request, const ImageFileDecryptionResult & result);

} // namespace medcrypt::cli

#endif
