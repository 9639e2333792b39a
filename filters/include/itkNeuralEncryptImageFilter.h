#ifndef itkNeuralEncryptImageFilter_h
#define itkNeuralEncryptImageFilter_h

#include "itkImageToImageFilter.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace itk
{

/** \class NeuralEncryptImageFilter
 * \brief Encrypts a 2-D or 3-D scalar image with the MedCrypt cipher network.
 *
 * The image is normalised to [0, 1] with its own minimum and maximum, cut into tiles of the model's
 * tile size T (the last row and column padded by edge replication; 3-D images slice by slice) and
 * each tile is encrypted under feature keys derived from the user key and the SHA-256 of the tile's
 * samples (docs/format.md). The output is the ciphertext: unsigned 16-bit, round(c * 65535), of the
 * padded grid size (columns T x rows T [x slices]) with the input's spacing, origin and direction.
 * In cipher format version 3 (the default) and 2 each tile is stored under its keyed permutation
 * (medcrypt/CiphertextPermutation.h: 8 x 8 cells shuffled across the tile, then the pixels inside each
 * 16 x 16 block, or inside each cell in version 2); in version 1 the network's ciphertext is stored as it
 * comes out (the paper's layout).
 *
 * Two byte blobs come with it, both through getters and in the output's MetaDataDictionary (keys
 * medcrypt::CipherHeaderMetaDataKey and medcrypt::EnvelopeMetaDataKey, std::string of bytes):
 * the sealed cipher header (what the network needs to decrypt) and, unless ExactEnvelope is off, the
 * exact envelope (the original samples, losslessly compressed and sealed with CMS). Strip the two
 * entries (medcrypt::RemoveCipherMetaData) before writing the image with an ImageFileWriter, or use
 * medcrypt::WriteCiphertextWithSidecar, which does so.
 *
 * Deterministic: the same image, key, schedule and model give the same ciphertext pixels (the sealed
 * blobs differ, their nonces are random). The whole image is processed at once (GenerateData).
 *
 * \ingroup MedCrypt
 */
template<typename TInputImage, typename TCipherImage = Image<unsigned short, TInputImage::ImageDimension>>
class ITK_TEMPLATE_EXPORT NeuralEncryptImageFilter : public ImageToImageFilter<TInputImage, TCipherImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(NeuralEncryptImageFilter);

  using Self = NeuralEncryptImageFilter;
  using Superclass = ImageToImageFilter<TInputImage, TCipherImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  using InputImageType = TInputImage;
  using InputPixelType = typename TInputImage::PixelType;
  using CipherImageType = TCipherImage;
  using CipherPixelType = typename TCipherImage::PixelType;
  static constexpr unsigned int ImageDimension = TInputImage::ImageDimension;

  static_assert(ImageDimension == 2 || ImageDimension == 3, "MedCrypt encrypts 2-D and 3-D images");
  static_assert(std::is_same_v<CipherPixelType, unsigned short>, "the ciphertext is unsigned 16-bit");
  static_assert(TCipherImage::ImageDimension == ImageDimension, "input and ciphertext have one dimension");

  itkNewMacro(Self);
  itkTypeMacro(NeuralEncryptImageFilter, ImageToImageFilter);

  /** The cipher network (NeuralCipher::Load); required. One loaded model may serve many filters. */
  void
  SetModel(std::shared_ptr<const medcrypt::NeuralCipher> model);
  std::shared_ptr<const medcrypt::NeuralCipher>
  GetModel() const
  {
    return m_Model;
  }

  /** The user key (b1..b4, mu, burn-in); required. */
  void
  SetUserKey(const medcrypt::UserKey & key);

  /** How x0 is derived from the key and the tile digest; default Hardened. */
  void
  SetKeySchedule(medcrypt::KeySchedule schedule);
  medcrypt::KeySchedule
  GetKeySchedule() const
  {
    return m_KeySchedule;
  }

  /** Whether to write the exact envelope (bit-exact decryption); default on. Off: "neural only". */
  itkSetMacro(ExactEnvelope, bool);
  itkGetConstMacro(ExactEnvelope, bool);
  itkBooleanMacro(ExactEnvelope);

  /** The cipher format version to write, medcrypt::OldestCipherHeaderVersion (1: the network's
   * ciphertext as it comes out, as in the paper) to medcrypt::CipherHeaderVersion (3, the default: each
   * tile stored under its keyed permutation; 2: the permutation of format version 2). Checked when the
   * filter runs (UserError naming the versions it writes). */
  itkSetMacro(FormatVersion, std::uint32_t);
  itkGetConstMacro(FormatVersion, std::uint32_t);

  /** PEM X.509 certificates whose private keys may open the exact envelope too (besides the user key). */
  void
  SetRecipientCertificates(const std::vector<std::string> & files);
  const std::vector<std::string> &
  GetRecipientCertificates() const
  {
    return m_RecipientCertificates;
  }

  /** Research hook for experiments, never for real encryption: offsets added to x0_1..x0_4 of every
   * tile after the key derivation, e.g. {1e-15, 0, 0, 0} to measure key sensitivity (paper section IV.C,
   * medcrypt evaluate). Default zeros: no change. The sealed header does not record the offsets, so a
   * ciphertext made with nonzero offsets does not decrypt by the network. Update() throws when an
   * offset moves an x0 out of (0, 1). */
  using InitialValueOffsetsType = std::array<double, 4>;
  void
  SetInitialValueOffsets(const InitialValueOffsetsType & offsets);
  itkGetConstMacro(InitialValueOffsets, InitialValueOffsetsType);

  /** The sealed cipher header of the last update (docs/format.md, "Cipher header"). */
  const std::vector<std::uint8_t> &
  GetSealedHeader() const
  {
    return m_SealedHeader;
  }

  /** The exact envelope of the last update; empty when ExactEnvelope is off. */
  const std::vector<std::uint8_t> &
  GetEnvelope() const
  {
    return m_Envelope;
  }

protected:
  NeuralEncryptImageFilter() = default;
  ~NeuralEncryptImageFilter() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

  /** The ciphertext's size is the padded tile grid; spacing, origin and direction are the input's. */
  void
  GenerateOutputInformation() override;

  /** The whole input is needed (intensity range, tile digests, envelope). */
  void
  GenerateInputRequestedRegion() override;

  /** The whole ciphertext is produced at once. */
  void
  EnlargeOutputRequestedRegion(DataObject * output) override;

  void
  GenerateData() override;

private:
  /** The tile size of the model; throws when no model is set. */
  unsigned int
  ModelTileSize() const;

  /** Encrypts the allocated output from the input; fills m_SealedHeader and m_Envelope. */
  void
  EncryptImage();

  std::shared_ptr<const medcrypt::NeuralCipher> m_Model;
  medcrypt::UserKey m_UserKey;
  bool m_UserKeySet{ false };
  medcrypt::KeySchedule m_KeySchedule{ medcrypt::KeySchedule::Hardened };
  bool m_ExactEnvelope{ true };
  std::uint32_t m_FormatVersion{ medcrypt::CipherHeaderVersion };
  std::vector<std::string> m_RecipientCertificates;
  InitialValueOffsetsType m_InitialValueOffsets{};
  std::vector<std::uint8_t> m_SealedHeader;
  std::vector<std::uint8_t> m_Envelope;
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkNeuralEncryptImageFilter.hxx"
#endif

#endif
