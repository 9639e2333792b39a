// medcrypt.encrypt / decrypt / EncryptedImage / load_encrypted: numpy arrays through the ITK filters
// NeuralEncryptImageFilter and NeuralDecryptImageFilter, and the ciphertext file + sidecar of
// medcryptCiphertextFiles.h, the same code paths as `medcrypt encrypt IN OUT` / `medcrypt decrypt IN OUT`.
#include "Bindings.h"
#include "EncryptedImage.h"
#include "ModelHandle.h"
#include "NumpyImages.h"

#include "ImageReading.h"
#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/UserKey.h"
#include "medcryptCiphertextFiles.h"
#include "medcryptSidecar.h"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <string>

namespace medcrypt::python
{

namespace
{

/** What encrypt() passes to the filter besides the array. */
struct EncryptionSettings
{
  UserKey key;
  std::shared_ptr<const NeuralCipher> model;
  std::optional<std::vector<double>> spacing;
  std::optional<std::vector<double>> origin;
  bool exactEnvelope = true;
  KeySchedule schedule = KeySchedule::Hardened;
  std::vector<std::string> recipients;
};

/** Runs NeuralEncryptImageFilter over the array as itk::Image<TPixel, D>. */
template<typename TPixel, unsigned int D>
EncryptedImage
EncryptArray(const py::array & array, const EncryptionSettings & settings)
{
  using ImageType = itk::Image<TPixel, D>;
  const auto image = ImageFromArray<TPixel, D>(array, settings.spacing, settings.origin);
  auto filter = itk::NeuralEncryptImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetModel(settings.model);
  filter->SetUserKey(settings.key);
  filter->SetKeySchedule(settings.schedule);
  filter->SetExactEnvelope(settings.exactEnvelope);
  filter->SetRecipientCertificates(settings.recipients);
  {
    py::gil_scoped_release release;
    filter->Update();
  }
  return EncryptedImageFromCiphertext(filter->GetOutput());
}

/** Runs NeuralDecryptImageFilter into itk::Image<TPixel, D> (the stored type) and returns its pixels. */
template<typename TPixel, unsigned int D>
py::array
DecryptTo(const EncryptedImage & encrypted,
          const UserKey & key,
          const std::shared_ptr<const NeuralCipher> & model,
          bool networkOnly)
{
  using CipherImageType = itk::Image<unsigned short, D>;
  using OutputImageType = itk::Image<TPixel, D>;
  const auto cipher = CiphertextFromEncryptedImage<D>(encrypted);
  auto filter = itk::NeuralDecryptImageFilter<CipherImageType, OutputImageType>::New();
  filter->SetInput(cipher);
  filter->SetUserKey(key);
  filter->SetModel(model);
  filter->SetUseEnvelope(!networkOnly);
  {
    py::gil_scoped_release release;
    filter->Update();
  }
  if (!filter->GetPixelDigestMatches())
  {
    const int warned = PyErr_WarnEx(
      PyExc_RuntimeWarning,
      filter->GetRestoredFromEnvelope()
        ? "medcrypt.decrypt: the ciphertext pixels differ from those that were encrypted; the original was "
          "restored from the exact envelope"
        : "medcrypt.decrypt: the ciphertext pixels differ from those that were encrypted (cropped, noised "
          "or re-saved); the network's decryption of changed pixels is approximate",
      1);
    if (warned < 0) // the warnings filter turned the warning into an exception
    {
      throw py::error_already_set();
    }
  }
  return ArrayFromImage(filter->GetOutput());
}

/** The clear part of the header, checked against the ciphertext's dimension and size. */
ClearHeader
CheckedClearHeader(const EncryptedImage & encrypted)
{
  const ClearHeader clear = ReadClearPart(encrypted.header, "EncryptedImage.header");
  if (clear.geometry.Dimension() != encrypted.Dimension())
  {
    throw UserError("EncryptedImage: the cipher header describes a " + std::to_string(clear.geometry.Dimension()) +
                    "-D image, the pixels are " + std::to_string(encrypted.Dimension()) +
                    "-D: the header belongs to another ciphertext");
  }
  return clear;
}

/** Builds an EncryptedImage from Python values; geometry defaults come from the header's clear part. */
EncryptedImage
MakeEncryptedImage(const py::array & pixels,
                   const py::bytes & header,
                   const std::optional<py::bytes> & envelope,
                   const std::optional<std::vector<double>> & spacing,
                   const std::optional<std::vector<double>> & origin,
                   const std::optional<std::vector<double>> & direction)
{
  if (SampleTypeOfArray(pixels, "pixels") != SampleType::UInt16)
  {
    throw py::type_error("pixels: a MedCrypt ciphertext is uint16, not " + DtypeName(pixels));
  }
  const unsigned int dimension = ImageDimensionOfArray(pixels, "pixels");
  EncryptedImage encrypted;
  encrypted.pixels = py::array_t<std::uint16_t, py::array::c_style | py::array::forcecast>::ensure(pixels);
  // A private copy (an array built from a buffer without a base copies it): later changes to the caller's
  // array do not reach the ciphertext.
  encrypted.pixels = py::array_t<std::uint16_t>(encrypted.pixels.request());
  encrypted.pixels.attr("setflags")(py::arg("write") = false);
  const std::string headerBytes = header;
  encrypted.header.assign(headerBytes.begin(), headerBytes.end());
  if (envelope)
  {
    const std::string envelopeBytes = *envelope;
    if (!envelopeBytes.empty())
    {
      encrypted.envelope = std::vector<std::uint8_t>(envelopeBytes.begin(), envelopeBytes.end());
    }
  }
  const ClearHeader clear = CheckedClearHeader(encrypted);
  encrypted.spacing = spacing.value_or(clear.geometry.spacing);
  encrypted.origin = origin.value_or(clear.geometry.origin);
  encrypted.direction = direction.value_or(clear.geometry.direction);
  if (encrypted.spacing.size() != dimension || encrypted.origin.size() != dimension ||
      encrypted.direction.size() != dimension * dimension)
  {
    throw py::value_error("EncryptedImage: spacing and origin take " + std::to_string(dimension) +
                          " numbers (ITK order x, y[, z]) and direction " + std::to_string(dimension * dimension) +
                          " (row-major) for " + std::to_string(dimension) + "-D pixels");
  }
  return encrypted;
}

/** Reads a ciphertext image and its sidecar, refusing what `medcrypt decrypt` refuses. */
EncryptedImage
LoadEncrypted(const std::string & path, const std::string & sidecarArgument, bool acceptChangedPixels)
{
  const std::string sidecarPath = sidecarArgument.empty() ? SidecarPathFor(path) : sidecarArgument;
  const CipherSidecar sidecar = ReadSidecarFile(sidecarPath);
  const ClearHeader clear = ReadClearPart(sidecar.header, sidecarPath);
  const cli::ImageFileInfo info = cli::ReadImageFileInfo(path);
  if (info.component != itk::IOComponentEnum::USHORT || info.components != 1 ||
      info.dimension != clear.geometry.Dimension())
  {
    throw UserError(path + ": is not the ciphertext of " + sidecarPath +
                    " (a MedCrypt ciphertext is a scalar unsigned 16-bit " +
                    std::to_string(clear.geometry.Dimension()) + "-D image)");
  }
  if (clear.geometry.Dimension() == 2)
  {
    const auto image = ReadCiphertextWithSidecar<itk::Image<unsigned short, 2>>(path, acceptChangedPixels, sidecarPath);
    return EncryptedImageFromCiphertext(image.GetPointer());
  }
  const auto image = ReadCiphertextWithSidecar<itk::Image<unsigned short, 3>>(path, acceptChangedPixels, sidecarPath);
  return EncryptedImageFromCiphertext(image.GetPointer());
}

/** Writes the ciphertext image and its sidecar (SidecarPathFor(path)) like `medcrypt encrypt`. */
void
SaveEncrypted(const EncryptedImage & encrypted, const std::string & path)
{
  CheckedClearHeader(encrypted);
  if (encrypted.Dimension() == 2)
  {
    WriteCiphertextWithSidecar(CiphertextFromEncryptedImage<2>(encrypted).GetPointer(), path);
  }
  else
  {
    WriteCiphertextWithSidecar(CiphertextFromEncryptedImage<3>(encrypted).GetPointer(), path);
  }
}

/** A tuple of Python numbers. */
py::tuple
Tuple(const std::vector<double> & values)
{
  return py::tuple(py::cast(values));
}

} // namespace

void
RegisterCipher(py::module_ & module)
{
  py::class_<EncryptedImage>(module,
                             "EncryptedImage",
                             "A MedCrypt ciphertext in memory: the uint16 pixels (numpy order, padded to whole tiles), "
                             "the sealed cipher header and the exact envelope (None for network-only ciphertexts).")
    .def(py::init(&MakeEncryptedImage),
         py::arg("pixels"),
         py::arg("header"),
         py::arg("envelope") = py::none(),
         py::arg("spacing") = py::none(),
         py::arg("origin") = py::none(),
         py::arg("direction") = py::none(),
         "A ciphertext from its parts, e.g. pixels read with another library and the header of its sidecar. "
         "Spacing, origin (ITK order x, y[, z]) and direction (row-major) default to the header's geometry.")
    .def_property_readonly(
      "pixels", [](const EncryptedImage & e) { return e.pixels; }, "The ciphertext, uint16, read-only.")
    .def_property_readonly(
      "header",
      [](const EncryptedImage & e)
      { return py::bytes(reinterpret_cast<const char *>(e.header.data()), e.header.size()); },
      "The sealed cipher header (bytes).")
    .def_property_readonly(
      "envelope",
      [](const EncryptedImage & e) -> py::object
      {
        if (!e.envelope)
        {
          return py::none();
        }
        return py::bytes(reinterpret_cast<const char *>(e.envelope->data()), e.envelope->size());
      },
      "The exact envelope (bytes), or None when only the network can decrypt.")
    .def_property_readonly(
      "spacing", [](const EncryptedImage & e) { return Tuple(e.spacing); }, "Spacing, ITK order (x, y[, z]).")
    .def_property_readonly(
      "origin", [](const EncryptedImage & e) { return Tuple(e.origin); }, "Origin, ITK order (x, y[, z]).")
    .def_property_readonly(
      "direction", [](const EncryptedImage & e) { return Tuple(e.direction); }, "Direction matrix, row-major.")
    .def_property_readonly(
      "model_id",
      [](const EncryptedImage & e) { return CheckedClearHeader(e).modelId; },
      "The id of the model that encrypted (from the header's clear part).")
    .def_property_readonly(
      "original_shape",
      [](const EncryptedImage & e)
      {
        const auto size = CheckedClearHeader(e).geometry.size;
        return py::tuple(py::cast(std::vector<std::uint64_t>(size.rbegin(), size.rend())));
      },
      "The shape of the encrypted array (numpy order), from the header's clear part.")
    .def_property_readonly(
      "original_dtype",
      [](const EncryptedImage & e) { return NumpyName(CheckedClearHeader(e).pixelType); },
      "The numpy dtype name of the encrypted array, from the header's clear part.")
    .def(
      "save",
      [](const EncryptedImage & e, const std::filesystem::path & path) { SaveEncrypted(e, path.string()); },
      py::arg("path"),
      "Writes the ciphertext image to `path` (.mha, .nrrd, .nii, .nii.gz, .png, .tif) and the sidecar to "
      "`path`.medcrypt, as `medcrypt encrypt` does; both under temporary names, then renamed.")
    .def("__repr__",
         [](const EncryptedImage & e)
         {
           std::string shape;
           for (py::ssize_t i = 0; i < e.pixels.ndim(); ++i)
           {
             shape += (i ? " x " : "") + std::to_string(e.pixels.shape(i));
           }
           return "<medcrypt.EncryptedImage " + shape + " uint16, header " + std::to_string(e.header.size()) +
                  " bytes, " +
                  (e.envelope ? "exact envelope " + std::to_string(e.envelope->size()) + " bytes"
                              : std::string("no exact envelope")) +
                  ">";
         });

  module.def(
    "encrypt",
    [](const py::array & array,
       const UserKey & key,
       const std::optional<ModelHandle> & model,
       const std::optional<std::vector<double>> & spacing,
       const std::optional<std::vector<double>> & origin,
       bool exact,
       const std::string & schedule,
       const std::vector<std::string> & recipients)
    {
      EncryptionSettings settings;
      settings.key = key;
      settings.spacing = spacing;
      settings.origin = origin;
      settings.exactEnvelope = exact;
      settings.schedule = KeyScheduleFromString(schedule);
      settings.recipients = recipients;
      if (!exact && !recipients.empty())
      {
        throw UserError("recipients seal the exact envelope, which exact=False leaves out: give one or the other");
      }
      return VisitArray(array,
                        "array",
                        [&](auto tag, unsigned int dimension)
                        {
                          using PixelType = typename decltype(tag)::Type;
                          settings.model = ModelOrDefault(model);
                          return dimension == 2 ? EncryptArray<PixelType, 2>(array, settings)
                                                : EncryptArray<PixelType, 3>(array, settings);
                        });
    },
    py::arg("array"),
    py::arg("key"),
    py::arg("model") = py::none(),
    py::arg("spacing") = py::none(),
    py::arg("origin") = py::none(),
    py::arg("exact") = true,
    py::arg("schedule") = "hardened",
    py::arg("recipients") = std::vector<std::string>{},
    "Encrypts a 2-D (y, x) or 3-D (z, y, x) array of uint8, int8, uint16, int16, uint32, int32, float32 or "
    "float64 with the cipher network (model: a medcrypt.Model, default the shipped model). spacing and origin are "
    "in ITK order (x, y[, z]). exact=False leaves out the exact envelope (only the network can then decrypt, "
    "approximately). schedule: 'hardened' or 'paper'. recipients: PEM certificate files whose private keys may "
    "also open the envelope. Returns a medcrypt.EncryptedImage.");

  module.def(
    "decrypt",
    [](const EncryptedImage & encrypted,
       const UserKey & key,
       const std::optional<ModelHandle> & model,
       bool networkOnly) -> py::array
    {
      const ClearHeader clear = CheckedClearHeader(encrypted);
      std::shared_ptr<const NeuralCipher> cipher;
      if (networkOnly || !encrypted.envelope)
      {
        cipher = ModelOrDefault(model);
      }
      return VisitSampleType(clear.pixelType,
                             [&](auto tag) -> py::array
                             {
                               using PixelType = typename decltype(tag)::Type;
                               return clear.geometry.Dimension() == 2
                                        ? DecryptTo<PixelType, 2>(encrypted, key, cipher, networkOnly)
                                        : DecryptTo<PixelType, 3>(encrypted, key, cipher, networkOnly);
                             });
    },
    py::arg("encrypted"),
    py::arg("key"),
    py::arg("model") = py::none(),
    py::arg("network_only") = false,
    "Decrypts into an array of the original dtype and shape: bit-exact from the exact envelope, or by the "
    "network (approximately) when there is none or network_only=True (model: the one that encrypted, default the "
    "shipped model). medcrypt.Error for a wrong key or a changed header.");

  module.def(
    "load_encrypted",
    [](const std::filesystem::path & path, const std::optional<std::filesystem::path> & sidecar, bool acceptChanged)
    { return LoadEncrypted(path.string(), sidecar ? sidecar->string() : std::string(), acceptChanged); },
    py::arg("path"),
    py::arg("sidecar") = py::none(),
    py::arg("accept_changed_pixels") = false,
    "Reads a ciphertext image and its sidecar (default `path`.medcrypt), as written by EncryptedImage.save or "
    "`medcrypt encrypt`. medcrypt.Error when the sidecar is missing, damaged or belongs to another image, or the "
    "ciphertext pixels were changed after encryption (unless accept_changed_pixels=True: then only the network "
    "decrypts them, approximately).");
}

} // namespace medcrypt::python
