#ifndef medcrypt_NeuralCipher_h
#define medcrypt_NeuralCipher_h

// The trained cipher network behind an opaque handle: no LibTorch in this header, so ITK filters,
// wrappers (pybind11, castxml) and the command line include it cheaply (ITKIMPACT's pattern).

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace medcrypt
{

/** Logistic-map parameters of one tile's feature keys: x0_1..x0_4 (DeriveInitialValues), mu, burn-in. */
struct TileKeyParameters
{
  std::array<double, 4> x0{};
  double mu = 3.99;
  int burnIn = 1000;
};

/** Defect-correction steps that refine a network-only decryption of an intact ciphertext by default
 * (RefineDecryption in DecryptionRefinement.h; docs/design.md, "Refined network decryption"). */
constexpr int DefaultRefinementIterations = 3;

/** A loaded model file, ready for inference. Load once and share: Encrypt and Decrypt are const and
 * may run concurrently from several threads (no gradients, evaluation mode, no mutable state). */
class NeuralCipher
{
public:
  /** Loads a model file on `device` ("cpu", or "cuda" when LibTorch has it). UserError when the file
   * is missing, truncated or not a MedCrypt model, or the device is unavailable. */
  static std::shared_ptr<const NeuralCipher>
  Load(const std::string & path, const std::string & device = "cpu");

  /** The path of the shipped default model: $MEDCRYPT_MODEL if set, else the installed copy, else
   * the copy in the source tree this binary was built from. Empty when none exists. */
  static std::string
  DefaultModelPath();

  /** Sets LibTorch's intra-op threads; call once at start-up, before any inference. */
  static void
  SetThreads(int threads);

  ~NeuralCipher();
  NeuralCipher(const NeuralCipher &) = delete;
  NeuralCipher &
  operator=(const NeuralCipher &) = delete;

  /** Hex SHA-256 of the weights (recorded in every ciphertext). */
  const std::string &
  ModelId() const;

  /** Tile edge T of this model. */
  int
  TileSize() const;

  /** C_1..C_L: the lengths of the encrypted fusion parameters EP_1..EP_L of one tile. */
  const std::vector<int> &
  ParameterLengths() const;

  /** Sum of ParameterLengths(): floats of EP per tile. */
  std::size_t
  ParametersPerTile() const;

  /** The model's configuration as JSON (for reports). */
  std::string
  ConfigurationJson() const;

  /** Encrypts `count` tiles of T x T floats in [0, 1] (row-major, x fastest), each under its own
   * feature keys. Writes count x T x T ciphertext values in [0, 1] and count x ParametersPerTile()
   * encrypted parameters (EP_1..EP_L of each tile, concatenated). */
  void
  Encrypt(const float * tiles,
          std::size_t count,
          const TileKeyParameters * keys,
          float * cipher,
          float * encryptedParameters) const;

  /** Decrypts `count` ciphertext tiles (values in [0, 1]) with their EP and feature keys into tiles in
   * [0, 1]. A wrong key gives a wrong image, not an error: authentication is the header's job.
   * `refinementIterations` > 0 refines the decoder's output by that many defect-correction steps
   * (RefineDecryption), each as costly as one encryption plus one decryption; give 0 for the decoder
   * alone, and 0 for ciphertexts whose pixels changed after encryption unless `authentic` says which did:
   * count x T x T values in the network's layout, 1 for a pixel known to be as encryption wrote it and 0
   * for a changed one (cipher format version 4's pool digests), and the refinement then corrects the
   * decryption where the ciphertext is intact (RefineDecryptionWhereAuthentic). nullptr: all intact. */
  void
  Decrypt(const float * cipher,
          std::size_t count,
          const TileKeyParameters * keys,
          const float * encryptedParameters,
          float * tiles,
          int refinementIterations = 0,
          const float * authentic = nullptr) const;

private:
  struct Impl;
  explicit NeuralCipher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_Impl;
};

} // namespace medcrypt

#endif
