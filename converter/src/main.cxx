// medcrypt: the MedCrypt command-line program. `medcrypt COMMAND --help` describes each command.
#include "Commands.h"

#include "medcrypt/Error.h"

#include <cstring>
#include <exception>
#include <iostream>

namespace
{

struct CommandEntry
{
  const char * name;
  const char * summary;
  int (*run)(const medcrypt::cli::Arguments &);
};

const CommandEntry commands[] = {
  { "keygen", "write a new random user key file (mode 0600)", medcrypt::cli::RunKeygen },
  { "keys", "derive h, p, x0_1..x0_4 and the first feature-key values of an image", medcrypt::cli::RunKeys },
  { "phantom", "write a synthetic CT-like image (Shepp-Logan) for demos and tests", medcrypt::cli::RunPhantom },
  { "metrics", "entropy, adjacent correlation, NPCR/UACI, PSNR and SSIM of images", medcrypt::cli::RunMetrics },
  { "model", "a network preset and its parameter counts next to the paper's Table 1", medcrypt::cli::RunModel },
  { "train", "train a cipher network on image directories (pre-training, then encryption)", medcrypt::cli::RunTrain },
  { "average", "the mean of the weights of snapshots of one training run", medcrypt::cli::RunAverage },
  { "calibrate", "fit a model's output calibration (uniform ciphertext values)", medcrypt::cli::RunCalibrate },
  { "info", "what a DICOM file says about its encryption (no key needed)", medcrypt::cli::RunInfo },
  { "encrypt", "encrypt an image or volume with the cipher network (ciphertext + sidecar)", medcrypt::cli::RunEncrypt },
  { "decrypt", "decrypt a ciphertext image with its sidecar (bit-exact with the envelope)", medcrypt::cli::RunDecrypt },
  { "evaluate",
    "the paper's security and robustness metrics of a model on a directory of images",
    medcrypt::cli::RunEvaluate },
};

void
PrintUsage(std::ostream & out)
{
  out << "usage: medcrypt COMMAND [OPTIONS] [ARGS]\n\ncommands:\n";
  for (const auto & command : commands)
  {
    out << "  " << command.name << std::string(10 - std::strlen(command.name), ' ') << command.summary << "\n";
  }
  out << "\nRun 'medcrypt COMMAND --help' for a command's options.\n";
}

} // namespace

int
main(int argc, char * argv[])
{
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)
  {
    PrintUsage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  for (const auto & command : commands)
  {
    if (name == command.name)
    {
      const medcrypt::cli::Arguments arguments(argv + 2, argv + argc);
      try
      {
        return command.run(arguments);
      }
      catch (const medcrypt::cli::HelpShown &)
      {
        return 0;
      }
      catch (const medcrypt::UserError & error)
      {
        std::cerr << "medcrypt " << name << ": error: " << error.what() << std::endl;
        return 2;
      }
      catch (const std::exception & error)
      {
        std::cerr << "medcrypt " << name << ": internal error: " << error.what() << std::endl;
        return 3;
      }
    }
  }
  std::cerr << "medcrypt: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return 2;
}
