#ifndef itkNeuralDecryptImageFilter_hxx
#define itkNeuralDecryptImageFilter_hxx

#include "itkNeuralDecryptImageFilter.h"

#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/Envelope.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/PoolDigests.h"
#include "medcryptCipherImage.h"
#include "medcryptImageTiles.h"
#include "medcryptLosslessCodec.h"
#include "medcryptTileSamples.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <type_traits>

namespace itk
{

namespace NeuralDecryptDetail
{
/** Throws an ExceptionObject whose description is exactly `message` (a medcrypt::UserError's text),
 * so that applications can show it as it is. */
[[noreturn]] inline void
Fail(const std::string & message, const char * file, unsigned int line, const char * location)
{
  throw ExceptionObject(file, line, message, location);
}
} // namespace NeuralDecryptDetail

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::SetModel(std::shared_ptr<const medcrypt::NeuralCipher> model)
{
  if (m_Model != model)
  {
    m_Model = std::move(model);
    this->Modified();
  }
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::SetUserKey(const medcrypt::UserKey & key)
{
  m_UserKey = key;
  m_UserKeySet = true;
  this->Modified();
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::SetFeatureKeyUserKey(const medcrypt::UserKey & key)
{
  m_FeatureKeyUserKey = key;
  this->Modified();
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::ClearFeatureKeyUserKey()
{
  if (m_FeatureKeyUserKey)
  {
    m_FeatureKeyUserKey.reset();
    this->Modified();
  }
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::SetSealedHeader(const std::vector<std::uint8_t> & bytes)
{
  m_SealedHeader = bytes;
  this->Modified();
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::SetEnvelope(const std::vector<std::uint8_t> & bytes)
{
  m_Envelope = bytes;
  this->Modified();
}

template<typename TCipherImage, typename TOutputImage>
std::vector<std::uint8_t>
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::HeaderBytes() const
{
  if (m_SealedHeader)
  {
    return *m_SealedHeader;
  }
  if (const CipherImageType * input = this->GetInput())
  {
    if (auto bytes = medcrypt::ReadBytesMetaData(input->GetMetaDataDictionary(), medcrypt::CipherHeaderMetaDataKey))
    {
      return *bytes;
    }
  }
  NeuralDecryptDetail::Fail("no cipher header: call SetSealedHeader, or give a ciphertext whose MetaDataDictionary "
                            "holds " +
                              std::string(medcrypt::CipherHeaderMetaDataKey) +
                              " (the output of NeuralEncryptImageFilter)",
                            __FILE__,
                            __LINE__,
                            ITK_LOCATION);
}

template<typename TCipherImage, typename TOutputImage>
std::vector<std::uint8_t>
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::EnvelopeBytes() const
{
  if (m_Envelope)
  {
    return *m_Envelope;
  }
  if (const CipherImageType * input = this->GetInput())
  {
    if (auto bytes = medcrypt::ReadBytesMetaData(input->GetMetaDataDictionary(), medcrypt::EnvelopeMetaDataKey))
    {
      return *bytes;
    }
  }
  return {};
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::CheckHeaderFitsCiphertext(
  const medcrypt::ClearHeader & clear) const
{
  if (clear.geometry.Dimension() != ImageDimension)
  {
    NeuralDecryptDetail::Fail("the cipher header describes a " + std::to_string(clear.geometry.Dimension()) +
                                "-D image, but this filter decrypts " + std::to_string(ImageDimension) + "-D images",
                              __FILE__,
                              __LINE__,
                              ITK_LOCATION);
  }
  const auto expected = medcrypt::CipherImageSize<ImageDimension>(clear.tiles);
  const auto actual = this->GetInput()->GetLargestPossibleRegion().GetSize();
  if (expected != actual)
  {
    std::ostringstream message;
    message << "the cipher header does not belong to this ciphertext: it describes a tile grid of " << expected
            << " samples, the ciphertext image has " << actual;
    NeuralDecryptDetail::Fail(message.str(), __FILE__, __LINE__, ITK_LOCATION);
  }
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::GenerateOutputInformation()
{
  Superclass::GenerateOutputInformation();
  auto * input = const_cast<CipherImageType *>(this->GetInput());
  OutputImageType * output = this->GetOutput();
  if (input == nullptr || output == nullptr)
  {
    return;
  }
  if (!m_SealedHeader && !input->GetMetaDataDictionary().HasKey(medcrypt::CipherHeaderMetaDataKey) &&
      input->GetSource() != nullptr)
  {
    // The header travels in the dictionary, which an upstream NeuralEncryptImageFilter fills only when
    // it runs: bring the input up to date before reading the geometry from the header.
    input->Update();
  }
  medcrypt::ClearHeader clear;
  try
  {
    clear = medcrypt::ReadClearPart(HeaderBytes(), "cipher header");
  }
  catch (const medcrypt::UserError & error)
  {
    NeuralDecryptDetail::Fail(error.what(), __FILE__, __LINE__, ITK_LOCATION);
  }
  CheckHeaderFitsCiphertext(clear);

  typename OutputImageType::SizeType size;
  typename OutputImageType::SpacingType spacing;
  typename OutputImageType::PointType origin;
  typename OutputImageType::DirectionType direction;
  for (unsigned int i = 0; i < ImageDimension; ++i)
  {
    size[i] = static_cast<SizeValueType>(clear.geometry.size[i]);
    spacing[i] = clear.geometry.spacing[i];
    origin[i] = clear.geometry.origin[i];
    for (unsigned int j = 0; j < ImageDimension; ++j)
    {
      direction(i, j) = clear.geometry.direction[i * ImageDimension + j];
    }
  }
  output->SetLargestPossibleRegion(
    typename OutputImageType::RegionType(input->GetLargestPossibleRegion().GetIndex(), size));
  output->SetSpacing(spacing);
  output->SetOrigin(origin);
  output->SetDirection(direction);
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::GenerateInputRequestedRegion()
{
  Superclass::GenerateInputRequestedRegion();
  if (auto * input = const_cast<CipherImageType *>(this->GetInput()))
  {
    input->SetRequestedRegionToLargestPossibleRegion();
  }
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::EnlargeOutputRequestedRegion(DataObject * output)
{
  Superclass::EnlargeOutputRequestedRegion(output);
  output->SetRequestedRegionToLargestPossibleRegion();
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::GenerateData()
{
  if (!m_UserKeySet)
  {
    itkExceptionMacro(<< "no user key: call SetUserKey");
  }
  const CipherImageType * input = this->GetInput();
  m_PixelDigestMatches = true;
  m_RestoredFromEnvelope = false;
  m_RefinementIterationsApplied = 0;
  m_ChangedPoolCount = 0;
  try
  {
    const medcrypt::CipherHeader header = medcrypt::OpenHeader(HeaderBytes(), m_UserKey, "cipher header");
    CheckHeaderFitsCiphertext(header.clear);
    const std::vector<std::uint8_t> envelope = m_UseEnvelope ? EnvelopeBytes() : std::vector<std::uint8_t>{};
    if (envelope.empty())
    {
      if (!m_Model)
      {
        NeuralDecryptDetail::Fail("no model: without the exact envelope only the network decrypts; call SetModel with "
                                  "the model that encrypted (id " +
                                    header.clear.modelId + ")",
                                  __FILE__,
                                  __LINE__,
                                  ITK_LOCATION);
      }
      if (m_Model->ModelId() != header.clear.modelId)
      {
        NeuralDecryptDetail::Fail("the ciphertext was encrypted with model " + header.clear.modelId +
                                    ", but the loaded model is " + m_Model->ModelId() +
                                    ": decrypt with the model that encrypted it",
                                  __FILE__,
                                  __LINE__,
                                  ITK_LOCATION);
      }
    }

    m_PixelDigestMatches = medcrypt::CipherPixelDigest(input) == header.clear.pixelDigest;
    if (!m_PixelDigestMatches)
    {
      itkWarningMacro(<< "the ciphertext's pixels differ from those the cipher header was sealed for (cropped, "
                         "noised or re-saved after encryption); "
                      << (envelope.empty() ? "the network's decryption of the changed pixels is approximate"
                                           : "the exact envelope restores the original that was encrypted"));
    }

    OutputImageType * output = this->GetOutput();
    output->SetBufferedRegion(output->GetRequestedRegion());
    output->Allocate();
    if (envelope.empty())
    {
      DecryptWithNetwork(header);
    }
    else
    {
      RestoreFromEnvelope(header, envelope);
      m_RestoredFromEnvelope = true;
    }
  }
  catch (const ExceptionObject &)
  {
    throw;
  }
  catch (const std::exception & error)
  {
    NeuralDecryptDetail::Fail(error.what(), __FILE__, __LINE__, ITK_LOCATION);
  }

  MetaDataDictionary dictionary = input->GetMetaDataDictionary();
  medcrypt::RemoveCipherMetaData(dictionary);
  this->GetOutput()->SetMetaDataDictionary(dictionary);
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::RestoreFromEnvelope(const medcrypt::CipherHeader & header,
                                                                          const std::vector<std::uint8_t> & envelope)
{
  std::vector<std::uint8_t> plaintext;
  try
  {
    plaintext = medcrypt::OpenEnvelope(envelope, m_UserKey, "exact envelope");
  }
  catch (const medcrypt::UserError & error)
  {
    // The key opened the header, so the envelope itself is damaged or foreign. Never fall back to the
    // approximate network result silently: the caller asked for the exact original.
    throw medcrypt::UserError(std::string(error.what()) +
                              "; the key opened the cipher header, so the envelope was changed or belongs to another "
                              "encryption. The network can still decrypt approximately (UseEnvelope off; "
                              "medcrypt decrypt --neural-only).");
  }
  const auto decoded = medcrypt::DecompressSamples(plaintext, "exact envelope");
  const auto & geometry = header.clear.geometry;
  const std::uint64_t frames = ImageDimension == 3 ? geometry.size[2] : 1;
  if (decoded.layout.type != header.clear.pixelType || decoded.layout.width != geometry.size[0] ||
      decoded.layout.height != geometry.size[1] || decoded.layout.frames != frames)
  {
    throw medcrypt::UserError("the exact envelope holds " + std::to_string(decoded.layout.width) + " x " +
                              std::to_string(decoded.layout.height) + " x " + std::to_string(decoded.layout.frames) +
                              " " + std::string(medcrypt::ToString(decoded.layout.type)) +
                              " samples, not the image the cipher header describes: it belongs to another image");
  }
  OutputImageType * output = this->GetOutput();
  this->UpdateProgress(0.5f);
  medcrypt::VisitSampleType(
    header.clear.pixelType,
    [&](auto tag)
    {
      using StoredPixel = typename decltype(tag)::Type;
      using StoredImage = Image<StoredPixel, ImageDimension>;
      auto restored = StoredImage::New();
      restored->SetRegions(output->GetLargestPossibleRegion());
      restored->Allocate();
      std::memcpy(restored->GetBufferPointer(), decoded.samples.data(), decoded.samples.size());

      // The envelope must hold exactly the plaintext whose tiles gave the sealed keys.
      const auto tiles = medcrypt::TileRegion(restored->GetLargestPossibleRegion(), header.clear.tiles.tileSize);
      for (std::size_t i = 0; i < tiles.size(); ++i)
      {
        const auto digest = medcrypt::DigestTile(
          restored.GetPointer(), tiles[i].region, tiles.size() > 1 ? std::optional(tiles[i].position) : std::nullopt);
        if (digest.h != header.sealed.tiles[i].digest.h || digest.p != header.sealed.tiles[i].digest.p)
        {
          throw medcrypt::UserError("the exact envelope does not hold the image the cipher header was sealed for "
                                    "(tile " +
                                    std::to_string(i) + " differs): the two belong to different encryptions");
        }
      }
      const StoredPixel * from = restored->GetBufferPointer();
      OutputPixelType * to = output->GetBufferPointer();
      const std::size_t count = output->GetBufferedRegion().GetNumberOfPixels();
      for (std::size_t i = 0; i < count; ++i)
      {
        if constexpr (std::is_same_v<StoredPixel, OutputPixelType>)
        {
          to[i] = from[i];
        }
        else
        {
          to[i] = medcrypt::ClampToPixel<OutputPixelType>(static_cast<double>(from[i]));
        }
      }
    });
  this->UpdateProgress(1.0f);
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::DecryptWithNetwork(const medcrypt::CipherHeader & header)
{
  const CipherImageType * input = this->GetInput();
  OutputImageType * output = this->GetOutput();
  const unsigned int tileSize = header.clear.tiles.tileSize;
  if (static_cast<int>(tileSize) != m_Model->TileSize())
  {
    throw medcrypt::UserError("the cipher header's tile size " + std::to_string(tileSize) +
                              " differs from the model's " + std::to_string(m_Model->TileSize()));
  }
  const std::size_t tilePixels = std::size_t{ tileSize } * tileSize;
  const std::size_t parametersPerTile = m_Model->ParametersPerTile();
  const auto & levelLengths = m_Model->ParameterLengths();
  const double minimum = header.clear.intensityMinimum;
  const double maximum = header.clear.intensityMaximum;
  const auto tiles = medcrypt::TileRegion(output->GetLargestPossibleRegion(), tileSize);
  const auto cipherStart = input->GetLargestPossibleRegion().GetIndex();
  const medcrypt::UserKey & featureKey = m_FeatureKeyUserKey ? *m_FeatureKeyUserKey : m_UserKey;

  // Format 4 says which pools of a changed ciphertext are intact, and the refinement works there; earlier
  // formats say only that some pixel changed, and the decoder alone decrypts.
  const bool pooled = medcrypt::SealsPoolDigests(header.clear.formatVersion);
  const bool locateChanges = pooled && !m_PixelDigestMatches;
  m_RefinementIterationsApplied = m_PixelDigestMatches || pooled ? m_RefinementIterations : 0;
  m_ChangedPoolCount = 0;
  constexpr std::size_t batchSize = 32;
  std::vector<float> cipher(batchSize * tilePixels);
  std::vector<float> plain(batchSize * tilePixels);
  std::vector<float> parameters(batchSize * parametersPerTile);
  std::vector<medcrypt::TileKeyParameters> keys(batchSize);
  const bool permuted = medcrypt::StoresPermutedTiles(header.clear.formatVersion);
  const medcrypt::CiphertextLayout layout = medcrypt::CiphertextLayoutOf(header.clear.formatVersion);
  std::vector<float> stored(permuted ? tilePixels : 0);
  std::vector<CipherPixelType> storedSamples(locateChanges ? tilePixels : 0);
  std::vector<float> storedAuthentic(locateChanges ? tilePixels : 0);
  std::vector<float> authentic(locateChanges ? batchSize * tilePixels : 0);

  this->UpdateProgress(0.0f);
  for (std::size_t first = 0; first < tiles.size(); first += batchSize)
  {
    const std::size_t count = std::min(batchSize, tiles.size() - first);
    for (std::size_t i = 0; i < count; ++i)
    {
      const auto & secrets = header.sealed.tiles[first + i];
      keys[i].x0 = medcrypt::DeriveInitialValues(featureKey, secrets.digest, header.clear.keySchedule);
      keys[i].mu = featureKey.mu;
      keys[i].burnIn = featureKey.burnIn;

      if (secrets.encryptedParameters.size() != levelLengths.size())
      {
        throw medcrypt::UserError("the cipher header holds " + std::to_string(secrets.encryptedParameters.size()) +
                                  " levels of encrypted parameters per tile, the model has " +
                                  std::to_string(levelLengths.size()));
      }
      float * ep = parameters.data() + i * parametersPerTile;
      for (std::size_t level = 0; level < levelLengths.size(); ++level)
      {
        const auto & values = secrets.encryptedParameters[level];
        if (values.size() != static_cast<std::size_t>(levelLengths[level]))
        {
          throw medcrypt::UserError("the cipher header's encrypted parameters of level " + std::to_string(level + 1) +
                                    " have " + std::to_string(values.size()) + " values, the model expects " +
                                    std::to_string(levelLengths[level]));
        }
        ep = std::copy(values.begin(), values.end(), ep);
      }

      const auto index = medcrypt::CipherTileIndex<ImageDimension>(cipherStart, tiles[first + i].position, tileSize);
      for (unsigned int y = 0; y < tileSize; ++y)
      {
        auto rowIndex = index;
        rowIndex[1] += y;
        const CipherPixelType * row = input->GetBufferPointer() + input->ComputeOffset(rowIndex);
        float * out = (permuted ? stored.data() : cipher.data() + i * tilePixels) + std::size_t{ y } * tileSize;
        for (unsigned int x = 0; x < tileSize; ++x)
        {
          out[x] = static_cast<float>(row[x]) / 65535.0f;
        }
        if (locateChanges)
        {
          std::copy_n(row, tileSize, storedSamples.data() + std::size_t{ y } * tileSize);
        }
      }
      if (locateChanges)
      {
        m_ChangedPoolCount +=
          medcrypt::MarkAuthenticPools(secrets.poolDigests,
                                       medcrypt::ComputePoolDigests(storedSamples.data(), tileSize, layout.poolEdge),
                                       tileSize,
                                       layout.poolEdge,
                                       storedAuthentic.data());
      }
      if (permuted)
      {
        const auto permutation = medcrypt::CiphertextPermutation(keys[i], tileSize, layout);
        medcrypt::UnpermuteTile(permutation, stored.data(), cipher.data() + i * tilePixels);
        if (locateChanges)
        {
          medcrypt::UnpermuteTile(permutation, storedAuthentic.data(), authentic.data() + i * tilePixels);
        }
      }
    }
    m_Model->Decrypt(cipher.data(),
                     count,
                     keys.data(),
                     parameters.data(),
                     plain.data(),
                     static_cast<int>(m_RefinementIterationsApplied),
                     locateChanges ? authentic.data() : nullptr);
    for (std::size_t i = 0; i < count; ++i)
    {
      medcrypt::WriteDenormalisedTile(
        output, tiles[first + i].region, tileSize, minimum, maximum, plain.data() + i * tilePixels);
    }
    this->UpdateProgress(static_cast<float>(first + count) / static_cast<float>(tiles.size()));
  }
}

template<typename TCipherImage, typename TOutputImage>
void
NeuralDecryptImageFilter<TCipherImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Model: " << (m_Model ? m_Model->ModelId() : std::string("(none)")) << std::endl;
  os << indent << "UserKey: " << (m_UserKeySet ? "set" : "(none)") << std::endl;
  os << indent << "FeatureKeyUserKey: "
     << (m_FeatureKeyUserKey ? "set (research: feature keys from another key)" : "(the user key)") << std::endl;
  os << indent << "SealedHeader: "
     << (m_SealedHeader ? std::to_string(m_SealedHeader->size()) + " bytes" : std::string("(from the input)"))
     << std::endl;
  os << indent
     << "Envelope: " << (m_Envelope ? std::to_string(m_Envelope->size()) + " bytes" : std::string("(from the input)"))
     << std::endl;
  os << indent << "UseEnvelope: " << (m_UseEnvelope ? "On" : "Off") << std::endl;
  os << indent << "RefinementIterations: " << m_RefinementIterations << std::endl;
  os << indent << "RefinementIterationsApplied: " << m_RefinementIterationsApplied << std::endl;
  os << indent << "PixelDigestMatches: " << (m_PixelDigestMatches ? "true" : "false") << std::endl;
  os << indent << "ChangedPoolCount: " << m_ChangedPoolCount << std::endl;
  os << indent << "RestoredFromEnvelope: " << (m_RestoredFromEnvelope ? "true" : "false") << std::endl;
}

} // namespace itk

#endif
