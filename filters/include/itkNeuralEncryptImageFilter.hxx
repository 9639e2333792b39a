#ifndef itkNeuralEncryptImageFilter_hxx
#define itkNeuralEncryptImageFilter_hxx

#include "itkNeuralEncryptImageFilter.h"

#include "medcrypt/CipherHeader.h"
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
#include <cmath>
#include <exception>
#include <sstream>

namespace itk
{

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::SetModel(std::shared_ptr<const medcrypt::NeuralCipher> model)
{
  if (m_Model != model)
  {
    m_Model = std::move(model);
    this->Modified();
  }
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::SetUserKey(const medcrypt::UserKey & key)
{
  m_UserKey = key;
  m_UserKeySet = true;
  this->Modified();
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::SetKeySchedule(medcrypt::KeySchedule schedule)
{
  if (m_KeySchedule != schedule)
  {
    m_KeySchedule = schedule;
    this->Modified();
  }
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::SetRecipientCertificates(const std::vector<std::string> & files)
{
  if (m_RecipientCertificates != files)
  {
    m_RecipientCertificates = files;
    this->Modified();
  }
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::SetInitialValueOffsets(const InitialValueOffsetsType & offsets)
{
  if (m_InitialValueOffsets != offsets)
  {
    m_InitialValueOffsets = offsets;
    this->Modified();
  }
}

template<typename TInputImage, typename TCipherImage>
unsigned int
NeuralEncryptImageFilter<TInputImage, TCipherImage>::ModelTileSize() const
{
  if (!m_Model)
  {
    itkExceptionMacro(<< "no model: call SetModel with a loaded medcrypt::NeuralCipher");
  }
  return static_cast<unsigned int>(m_Model->TileSize());
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::GenerateOutputInformation()
{
  Superclass::GenerateOutputInformation();
  const InputImageType * input = this->GetInput();
  CipherImageType * output = this->GetOutput();
  if (input == nullptr || output == nullptr)
  {
    return;
  }
  const auto region = input->GetLargestPossibleRegion();
  const medcrypt::TileGrid grid = medcrypt::TileGridFor(medcrypt::GeometryOf(input), ModelTileSize());
  typename CipherImageType::RegionType cipherRegion(region.GetIndex(), medcrypt::CipherImageSize<ImageDimension>(grid));
  output->SetLargestPossibleRegion(cipherRegion);
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::GenerateInputRequestedRegion()
{
  Superclass::GenerateInputRequestedRegion();
  if (auto * input = const_cast<InputImageType *>(this->GetInput()))
  {
    input->SetRequestedRegionToLargestPossibleRegion();
  }
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::EnlargeOutputRequestedRegion(DataObject * output)
{
  Superclass::EnlargeOutputRequestedRegion(output);
  output->SetRequestedRegionToLargestPossibleRegion();
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::GenerateData()
{
  if (!m_Model)
  {
    itkExceptionMacro(<< "no model: call SetModel with a loaded medcrypt::NeuralCipher");
  }
  if (!m_UserKeySet)
  {
    itkExceptionMacro(<< "no user key: call SetUserKey");
  }
  m_SealedHeader.clear();
  m_Envelope.clear();
  CipherImageType * output = this->GetOutput();
  output->SetBufferedRegion(output->GetRequestedRegion());
  output->Allocate();
  try
  {
    EncryptImage();
  }
  catch (const ExceptionObject &)
  {
    throw;
  }
  catch (const std::exception & error)
  {
    m_SealedHeader.clear();
    m_Envelope.clear();
    throw ExceptionObject(__FILE__, __LINE__, error.what(), ITK_LOCATION);
  }
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::EncryptImage()
{
  const InputImageType * input = this->GetInput();
  CipherImageType * output = this->GetOutput();
  const unsigned int tileSize = ModelTileSize();
  const std::size_t tilePixels = std::size_t{ tileSize } * tileSize;
  const std::size_t parametersPerTile = m_Model->ParametersPerTile();
  const auto & levelLengths = m_Model->ParameterLengths();

  medcrypt::CipherHeader header;
  header.clear.modelId = m_Model->ModelId();
  header.clear.keySchedule = m_KeySchedule;
  header.clear.geometry = medcrypt::GeometryOf(input);
  header.clear.pixelType = medcrypt::SampleTypeOf<InputPixelType>();
  const auto [minimum, maximum] = medcrypt::IntensityRange(input);
  header.clear.intensityMinimum = minimum;
  header.clear.intensityMaximum = maximum;
  header.clear.tiles = medcrypt::TileGridFor(header.clear.geometry, tileSize);
  header.clear.neuralOnly = !m_ExactEnvelope;
  if (m_FormatVersion < medcrypt::OldestCipherHeaderVersion || m_FormatVersion > medcrypt::CipherHeaderVersion)
  {
    throw medcrypt::UserError("cipher format version " + std::to_string(m_FormatVersion) +
                              " cannot be written: this MedCrypt writes versions " +
                              std::to_string(medcrypt::OldestCipherHeaderVersion) + " to " +
                              std::to_string(medcrypt::CipherHeaderVersion));
  }
  header.clear.formatVersion = m_FormatVersion;
  const bool permuted = medcrypt::StoresPermutedTiles(m_FormatVersion);
  const medcrypt::CiphertextLayout layout = medcrypt::CiphertextLayoutOf(m_FormatVersion);
  const bool pooled = medcrypt::SealsPoolDigests(m_FormatVersion);

  const auto tiles = medcrypt::TileRegion(input->GetLargestPossibleRegion(), tileSize);
  const bool withPosition = tiles.size() > 1;
  header.sealed.tiles.resize(tiles.size());

  // Batches bound the memory (plaintext, ciphertext and EP of one batch) whatever the image size and
  // give the progress events their rhythm.
  constexpr std::size_t batchSize = 32;
  std::vector<float> plain(batchSize * tilePixels);
  std::vector<float> cipher(batchSize * tilePixels);
  std::vector<float> stored(permuted ? tilePixels : 0);
  std::vector<CipherPixelType> storedSamples(pooled ? tilePixels : 0);
  std::vector<float> parameters(batchSize * parametersPerTile);
  std::vector<medcrypt::TileKeyParameters> keys(batchSize);
  const auto cipherStart = output->GetLargestPossibleRegion().GetIndex();

  this->UpdateProgress(0.0f);
  for (std::size_t first = 0; first < tiles.size(); first += batchSize)
  {
    const std::size_t count = std::min(batchSize, tiles.size() - first);
    for (std::size_t i = 0; i < count; ++i)
    {
      const auto & tile = tiles[first + i];
      auto & secrets = header.sealed.tiles[first + i];
      secrets.digest =
        medcrypt::DigestTile(input, tile.region, withPosition ? std::optional(tile.position) : std::nullopt);
      keys[i].x0 = medcrypt::DeriveInitialValues(m_UserKey, secrets.digest, m_KeySchedule);
      for (std::size_t k = 0; k < keys[i].x0.size(); ++k)
      {
        keys[i].x0[k] += m_InitialValueOffsets[k];
        if (!(keys[i].x0[k] > 0.0 && keys[i].x0[k] < 1.0))
        {
          std::ostringstream message;
          message << "the initial value offset " << m_InitialValueOffsets[k] << " moves x0_" << k + 1 << " of tile "
                  << first + i << " out of (0, 1)";
          throw medcrypt::UserError(message.str());
        }
      }
      keys[i].mu = m_UserKey.mu;
      keys[i].burnIn = m_UserKey.burnIn;
      medcrypt::ReadNormalisedTile(input, tile.region, tileSize, minimum, maximum, plain.data() + i * tilePixels);
    }
    m_Model->Encrypt(plain.data(), count, keys.data(), cipher.data(), parameters.data());
    for (std::size_t i = 0; i < count; ++i)
    {
      const auto & tile = tiles[first + i];
      auto & secrets = header.sealed.tiles[first + i];
      const float * ep = parameters.data() + i * parametersPerTile;
      secrets.encryptedParameters.clear();
      for (int length : levelLengths)
      {
        secrets.encryptedParameters.emplace_back(ep, ep + length);
        ep += length;
      }
      const float * tileValues = cipher.data() + i * tilePixels;
      if (permuted)
      {
        medcrypt::PermuteTile(medcrypt::CiphertextPermutation(keys[i], tileSize, layout), tileValues, stored.data());
        tileValues = stored.data();
      }
      const auto index = medcrypt::CipherTileIndex<ImageDimension>(cipherStart, tile.position, tileSize);
      for (unsigned int y = 0; y < tileSize; ++y)
      {
        auto rowIndex = index;
        rowIndex[1] += y;
        CipherPixelType * row = output->GetBufferPointer() + output->ComputeOffset(rowIndex);
        const float * values = tileValues + std::size_t{ y } * tileSize;
        for (unsigned int x = 0; x < tileSize; ++x)
        {
          const double c = std::clamp(static_cast<double>(values[x]), 0.0, 1.0);
          row[x] = static_cast<CipherPixelType>(std::lround(c * 65535.0));
        }
        if (pooled)
        {
          std::copy_n(row, tileSize, storedSamples.data() + std::size_t{ y } * tileSize);
        }
      }
      if (pooled)
      {
        secrets.poolDigests = medcrypt::ComputePoolDigests(storedSamples.data(), tileSize, layout.poolEdge);
      }
    }
    this->UpdateProgress(static_cast<float>(first + count) / static_cast<float>(tiles.size()));
  }

  header.clear.pixelDigest = medcrypt::CipherPixelDigest(output);
  m_SealedHeader = medcrypt::SealHeader(header, m_UserKey);
  if (m_ExactEnvelope)
  {
    const auto size = input->GetLargestPossibleRegion().GetSize();
    medcrypt::SampleLayout layout;
    layout.type = header.clear.pixelType;
    layout.width = static_cast<std::uint32_t>(size[0]);
    layout.height = static_cast<std::uint32_t>(size[1]);
    layout.frames = ImageDimension == 3 ? static_cast<std::uint32_t>(size[ImageDimension - 1]) : 1u;
    const auto samples = medcrypt::CompressSamples(input->GetBufferPointer(), layout);
    m_Envelope = medcrypt::SealEnvelope(samples, m_UserKey, m_RecipientCertificates);
  }

  MetaDataDictionary dictionary = input->GetMetaDataDictionary();
  medcrypt::RemoveCipherMetaData(dictionary);
  medcrypt::WriteBytesMetaData(dictionary, medcrypt::CipherHeaderMetaDataKey, m_SealedHeader);
  if (!m_Envelope.empty())
  {
    medcrypt::WriteBytesMetaData(dictionary, medcrypt::EnvelopeMetaDataKey, m_Envelope);
  }
  output->SetMetaDataDictionary(dictionary);
}

template<typename TInputImage, typename TCipherImage>
void
NeuralEncryptImageFilter<TInputImage, TCipherImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Model: " << (m_Model ? m_Model->ModelId() : std::string("(none)")) << std::endl;
  os << indent << "UserKey: " << (m_UserKeySet ? "set" : "(none)") << std::endl;
  os << indent << "KeySchedule: " << medcrypt::ToString(m_KeySchedule) << std::endl;
  os << indent << "ExactEnvelope: " << (m_ExactEnvelope ? "On" : "Off") << std::endl;
  os << indent << "FormatVersion: " << m_FormatVersion << std::endl;
  os << indent << "RecipientCertificates: " << m_RecipientCertificates.size() << std::endl;
  os << indent << "InitialValueOffsets: [" << m_InitialValueOffsets[0] << ", " << m_InitialValueOffsets[1] << ", "
     << m_InitialValueOffsets[2] << ", " << m_InitialValueOffsets[3] << "]" << std::endl;
  os << indent << "SealedHeader: " << m_SealedHeader.size() << " bytes" << std::endl;
  os << indent << "Envelope: " << m_Envelope.size() << " bytes" << std::endl;
}

} // namespace itk

#endif
