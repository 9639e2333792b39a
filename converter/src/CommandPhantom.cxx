// medcrypt phantom: a synthetic CT-like image (modified Shepp-Logan) for demos and tests.
#include "Commands.h"
#include "PhantomDicomSeries.h"

#include "medcrypt/Error.h"
#include "medcryptSheppLoganPhantom.h"

#include "itkImageFileWriter.h"

#include <iostream>

namespace medcrypt::cli
{

namespace
{

template<typename TPixel, unsigned int VDimension>
void
WritePhantom(const PhantomOptions & options, const std::string & path)
{
  using ImageType = itk::Image<TPixel, VDimension>;
  auto writer = itk::ImageFileWriter<ImageType>::New();
  writer->SetInput(MakeSheppLoganPhantom<ImageType>(options));
  writer->SetFileName(path);
  try
  {
    writer->Update();
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(path + ": cannot write the image (" + std::string(error.GetDescription()) +
                    "); check that the directory exists and is writable and that the extension names a format ITK "
                    "writes (.mha, .nrrd, .nii.gz, .png for 8/16-bit unsigned)");
  }
}

template<unsigned int VDimension>
void
WritePhantomOfType(const std::string & type, const PhantomOptions & options, const std::string & path)
{
  if (type == "uint8")
    WritePhantom<unsigned char, VDimension>(options, path);
  else if (type == "int16")
    WritePhantom<short, VDimension>(options, path);
  else if (type == "uint16")
    WritePhantom<unsigned short, VDimension>(options, path);
  else if (type == "float")
    WritePhantom<float, VDimension>(options, path);
  else
    throw UserError("--type must be uint8, int16, uint16 or float (got '" + type + "')");
}

} // namespace

int
RunPhantom(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "phantom";
  spec.synopsis =
    "medcrypt phantom --out IMAGE [--size N] [--slices N] [--type uint8|int16|uint16|float] [--noise S] [--seed S]\n"
    "       medcrypt phantom --dicom-series DIR [--size N] [--slices N] [--noise S] [--seed S]";
  spec.summary =
    "Writes a synthetic CT-like image (the modified Shepp-Logan head phantom in Hounsfield-like units,\n"
    "with Gaussian noise) so that demos and tests need no patient data. --slices > 1 gives a 3-D volume.\n"
    "--dicom-series writes the volume as a CT series instead: one DICOM file per slice (IM0001.dcm, ...),\n"
    "16-bit signed HU, fictitious patient, UIDs derived from --seed (the same options give the same files).";
  spec.options.add_options()("out,o", po::value<std::string>()->value_name("IMAGE"), "output image file")(
    "dicom-series", po::value<std::string>()->value_name("DIR"), "write a DICOM CT series into DIR instead")(
    "size", po::value<unsigned>()->default_value(256), "edge in pixels")(
    "slices", po::value<unsigned>()->default_value(1), "number of slices (> 1: a 3-D volume)")(
    "type", po::value<std::string>()->default_value("int16"), "pixel type: uint8, int16, uint16 or float")(
    "noise", po::value<double>()->default_value(8.0), "Gaussian noise sigma in Hounsfield-like units")(
    "seed", po::value<std::uint64_t>()->default_value(1), "noise seed");
  spec.positional.add("out", 1);
  const auto values = Parse(spec, arguments);

  PhantomOptions options;
  options.size = values["size"].as<unsigned>();
  options.slices = values["slices"].as<unsigned>();
  options.noiseSigma = values["noise"].as<double>();
  options.seed = values["seed"].as<std::uint64_t>();
  if (options.size < 16 || options.size > 8192 || options.slices < 1 || options.slices > 4096)
  {
    throw UserError("--size must lie in [16, 8192] and --slices in [1, 4096]");
  }
  if (values.count("out") == values.count("dicom-series"))
  {
    throw UserError("give exactly one of --out IMAGE and --dicom-series DIR");
  }
  if (values.count("dicom-series"))
  {
    const std::string directory = values["dicom-series"].as<std::string>();
    const std::size_t bytes = WritePhantomDicomSeries(options, directory);
    std::cout << "wrote " << options.slices << " DICOM CT file(s) of " << options.size << " x " << options.size
              << " into " << directory << " (" << bytes / 1024 << " KiB)\n";
    return 0;
  }
  const auto path = values["out"].as<std::string>();
  const auto type = values["type"].as<std::string>();
  if (options.slices > 1)
    WritePhantomOfType<3>(type, options, path);
  else
    WritePhantomOfType<2>(type, options, path);
  std::cout << "wrote " << path << " (" << options.size << " x " << options.size;
  if (options.slices > 1)
  {
    std::cout << " x " << options.slices;
  }
  std::cout << ", " << type << ")\n";
  return 0;
}

} // namespace medcrypt::cli
