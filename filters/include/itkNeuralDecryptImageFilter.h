#ifndef itkNeuralDecryptImageFilter_h
#define itkNeuralDecryptImageFilter_h

#include "itkImageToImageFilter.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

namespace itk
{

/** \class NeuralDecryptImageFilter
 * \brief Decrypts a MedCrypt ciphertext image: bit-exact from the exact envelope, or with the network.
 *
 * Input: the ciphertext (unsigned 16-bit, the padded tile grid) and its sealed cipher header, set with
 * SetSealedHeader or found in the input's MetaDataDictionary (medcrypt::CipherHeaderMetaDataKey);
 * optionally the exact envelope (SetEnvelope or medcrypt::EnvelopeMetaDataKey).
 *
 * The header is opened with the user key; a wrong key or a changed header makes Update() throw an
 * ExceptionObject ("wrong key or tampered data") and no output is produced. A header whose grid does
 * not match the ciphertext's size is refused.
 * - With an envelope (and UseEnvelope on): the original samples are restored bit for bit, and every
 *   tile's SHA-256 is checked against the h sealed in the header. No model is needed.
 * - Otherwise: the network decrypts each tile with the feature keys derived from the sealed h and p
 *   and the key; the tiles are denormalised with the header's intensity range (rounded and clamped for
 *   integer output types) and cropped to the original geometry. The model must be the one that
 *   encrypted (same model id), or the header is refused naming both ids.
 * - The network's estimate is refined by RefinementIterations defect-correction steps (default
 *   medcrypt::DefaultRefinementIterations; 0: the decoder alone) when the ciphertext's pixels are those
 *   the header was sealed for; on changed pixels the decoder alone decrypts, as the correction would
 *   amplify the damage (docs/design.md, "Refined network decryption").
 * In both cases the output has the original size, spacing, origin and direction. When the ciphertext's
 * pixels differ from the pixel digest sealed in the header (cropped, noised, re-saved), a warning is
 * issued and GetPixelDigestMatches() is false.
 *
 * The output pixel type is the caller's TOutputImage (the command line uses the stored type, from
 * the header's pixel_type). The exact envelope is bit-exact only when TOutputImage's pixel type is the
 * stored type; another type receives the samples rounded and clamped to its range.
 *
 * \ingroup MedCrypt
 */
template<typename TCipherImage, typename TOutputImage>
class ITK_TEMPLATE_EXPORT NeuralDecryptImageFilter : public ImageToImageFilter<TCipherImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(NeuralDecryptImageFilter);

  using Self = NeuralDecryptImageFilter;
  using Superclass = ImageToImageFilter<TCipherImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  using CipherImageType = TCipherImage;
  using CipherPixelType = typename TCipherImage::PixelType;
  using OutputImageType = TOutputImage;
  using OutputPixelType = typename TOutputImage::PixelType;
  static constexpr unsigned int ImageDimension = TOutputImage::ImageDimension;

  static_assert(ImageDimension == 2 || ImageDimension == 3, "MedCrypt decrypts 2-D and 3-D images");
  static_assert(std::is_same_v<CipherPixelType, unsigned short>, "the ciphertext is unsigned 16-bit");
  static_assert(TCipherImage::ImageDimension == ImageDimension, "ciphertext and output have one dimension");

  itkNewMacro(Self);
  itkTypeMacro(NeuralDecryptImageFilter, ImageToImageFilter);

  /** The cipher network; needed only when the network decrypts (no envelope, or UseEnvelope off). */
  void
  SetModel(std::shared_ptr<const medcrypt::NeuralCipher> model);
  std::shared_ptr<const medcrypt::NeuralCipher>
  GetModel() const
  {
    return m_Model;
  }

  /** The user key; required (it opens the header and the envelope). */
  void
  SetUserKey(const medcrypt::UserKey & key);

  /** Research hook for experiments (the paper's wrong-key figure, medcrypt evaluate): the network's
   * feature keys (x0, mu, burn-in) come from `key` instead of the user key, which still opens the
   * header. Affects only the network's decryption, never the exact envelope. Default: unset. */
  void
  SetFeatureKeyUserKey(const medcrypt::UserKey & key);

  /** Goes back to feature keys from the user key. */
  void
  ClearFeatureKeyUserKey();

  /** The sealed cipher header. When never set, the input's MetaDataDictionary provides it. */
  void
  SetSealedHeader(const std::vector<std::uint8_t> & bytes);

  /** The exact envelope; empty for none. When never set, the input's MetaDataDictionary may provide it. */
  void
  SetEnvelope(const std::vector<std::uint8_t> & bytes);

  /** Whether to restore from the envelope when there is one; default on. Off: the network decrypts. */
  itkSetMacro(UseEnvelope, bool);
  itkGetConstMacro(UseEnvelope, bool);
  itkBooleanMacro(UseEnvelope);

  /** Defect-correction steps that refine the network's decryption of an intact ciphertext, and from cipher
   * format version 4 on of a changed one where its pool digests say it is intact
   * (medcrypt::NeuralCipher::Decrypt); 0 for the decoder alone. Each step costs about two decryptions. */
  itkSetMacro(RefinementIterations, unsigned int);
  itkGetConstMacro(RefinementIterations, unsigned int);

  /** After Update(): the defect-correction steps the network's decryption received: RefinementIterations
   * for an intact ciphertext or one of format version 4 or later (refined where intact), 0 when the pixels
   * of an earlier format's ciphertext changed or the envelope restored it. */
  itkGetConstMacro(RefinementIterationsApplied, unsigned int);

  /** After Update(): the number of stored 16 x 16 pools whose pixels differ from those encryption wrote
   * (their sealed digests, cipher format version 4 and later; 0 for earlier versions, an intact ciphertext
   * or a restoration from the envelope). Their pixels take no part in the network's decryption. */
  itkGetConstMacro(ChangedPoolCount, SizeValueType);

  /** After Update(): false when the ciphertext's pixels differ from those the header was sealed for. */
  itkGetConstMacro(PixelDigestMatches, bool);

  /** After Update(): true when the output came from the exact envelope (bit-exact), false when the
   * network decrypted it. */
  itkGetConstMacro(RestoredFromEnvelope, bool);

protected:
  NeuralDecryptImageFilter() = default;
  ~NeuralDecryptImageFilter() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

  /** The output takes the original geometry from the header's clear part (read without the key). */
  void
  GenerateOutputInformation() override;

  /** The whole ciphertext is needed. */
  void
  GenerateInputRequestedRegion() override;

  /** The whole output is produced at once. */
  void
  EnlargeOutputRequestedRegion(DataObject * output) override;

  void
  GenerateData() override;

private:
  /** The header bytes: SetSealedHeader's, else the input's dictionary entry; throws when neither. */
  std::vector<std::uint8_t>
  HeaderBytes() const;

  /** The envelope bytes: SetEnvelope's, else the input's dictionary entry, else none. */
  std::vector<std::uint8_t>
  EnvelopeBytes() const;

  /** Throws unless the header fits the ciphertext image and this filter's output dimension. */
  void
  CheckHeaderFitsCiphertext(const medcrypt::ClearHeader & clear) const;

  /** Fills the allocated output from the envelope; checks the samples against the sealed tile digests. */
  void
  RestoreFromEnvelope(const medcrypt::CipherHeader & header, const std::vector<std::uint8_t> & envelope);

  /** Fills the allocated output by running the network over the ciphertext tiles. */
  void
  DecryptWithNetwork(const medcrypt::CipherHeader & header);

  std::shared_ptr<const medcrypt::NeuralCipher> m_Model;
  medcrypt::UserKey m_UserKey;
  bool m_UserKeySet{ false };
  std::optional<medcrypt::UserKey> m_FeatureKeyUserKey;
  std::optional<std::vector<std::uint8_t>> m_SealedHeader;
  std::optional<std::vector<std::uint8_t>> m_Envelope;
  bool m_UseEnvelope{ true };
  bool m_PixelDigestMatches{ true };
  bool m_RestoredFromEnvelope{ false };
  unsigned int m_RefinementIterations{ static_cast<unsigned int>(medcrypt::DefaultRefinementIterations) };
  unsigned int m_RefinementIterationsApplied{ 0 };
  SizeValueType m_ChangedPoolCount{ 0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkNeuralDecryptImageFilter.hxx"
#endif

#endif
