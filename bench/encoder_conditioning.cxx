// How much of an image does the ciphertext hold? For each image (resampled to one tile as `medcrypt
// evaluate` does, scaled to [0, 1] by its range), the network's ciphertext C is quantised to 16 bits and
// decrypted three ways: the decoder alone, the 3-step defect correction that `medcrypt decrypt` serves,
// and an L-BFGS fit of E(x) = C through the encoder (starting from the refined estimate, for a fixed
// time). It prints each estimate's PSNR / SSIM against the plaintext and how close its re-encryption
// comes to C, and the encoder's gain along the fit's error: rms(E(x_fit) - C) / rms(x_fit - x). A fit
// that matches C far more closely than it matches the plaintext shows an encoder that contracts the
// detail it misses, which no decoder can then read back (model/MODEL_CARD.md, session 28). For scale it
// also prints the gain rms(E(x + d) - E(x)) / rms(d) for two seeded changes d of rms 0.01: white noise
// (pixel-scale detail) and noise drawn at 1/8 resolution and interpolated (smooth), and their ratio.
//
// Usage: medcrypt_bench_encoder_conditioning MODEL SECONDS_PER_IMAGE IMAGE...

#include "evaluate/EvaluationImagePreparation.h"
#include "medcrypt/CipherNet.h"
#include "medcrypt/DecryptionRefinement.h"
#include "medcrypt/EncryptionFit.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/Losses.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/UserKey.h"

#include "itkImageFileReader.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <limits>
#include <thread>

namespace
{

using FloatImage = itk::Image<float, 2>;

/** The image at tile x tile, scaled to [0, 1] by its own range, as a [1, 1, T, T] tensor. */
torch::Tensor
LoadTile(const std::string & path, int tile)
{
  const FloatImage::Pointer image = itk::ReadImage<FloatImage>(path);
  const auto prepared = medcrypt::evaluate::PrepareEvaluationImage<float, 2>(image, static_cast<unsigned>(tile));
  const auto * buffer = prepared.image->GetBufferPointer();
  torch::Tensor x = torch::from_blob(const_cast<float *>(buffer), { 1, 1, tile, tile }).clone();
  const torch::Tensor low = x.min();
  const torch::Tensor range = (x.max() - low).clamp_min(1e-12);
  return (x - low) / range;
}

double
Rms(const torch::Tensor & a, const torch::Tensor & b)
{
  return (a - b).pow(2).mean().sqrt().item<double>();
}

double
Psnr(const torch::Tensor & estimate, const torch::Tensor & truth)
{
  return -20.0 * std::log10(Rms(estimate, truth));
}

double
Ssim(const torch::Tensor & estimate, const torch::Tensor & truth)
{
  return medcrypt::losses::StructuralSimilarity(estimate, truth).mean().item<double>();
}

/** rms(E(x + d) - E(x)) / rms(d), with d the change that survives clamping x + d to [0, 1]. */
double
EncoderGain(medcrypt::CipherNetImpl & net,
            const torch::Tensor & plain,
            const std::vector<torch::Tensor> & keys,
            const torch::Tensor & change)
{
  torch::NoGradGuard noGradients;
  const torch::Tensor changed = (plain + change).clamp(0.0, 1.0);
  return Rms(net.encrypt(changed, keys).cipher, net.encrypt(plain, keys).cipher) / Rms(changed, plain);
}

/** Seeded Gaussian noise of rms 0.01 shaped like `plain`, drawn at 1 / `coarseness` of its resolution and
 * interpolated bilinearly (coarseness 1: white noise). */
torch::Tensor
NoiseChange(const torch::Tensor & plain, int coarseness, std::uint64_t seed)
{
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t height = plain.size(2) / coarseness;
  const int64_t width = plain.size(3) / coarseness;
  torch::Tensor noise = at::randn({ 1, 1, height, width }, generator);
  if (coarseness > 1)
  {
    noise = torch::nn::functional::interpolate(noise,
                                               torch::nn::functional::InterpolateFuncOptions()
                                                 .size(std::vector<int64_t>{ plain.size(2), plain.size(3) })
                                                 .mode(torch::kBilinear)
                                                 .align_corners(false));
  }
  return noise * (0.01 / noise.pow(2).mean().sqrt());
}

} // namespace

int
main(int argc, char * argv[])
{
  if (argc < 4)
  {
    std::cerr << "usage: " << argv[0] << " MODEL SECONDS_PER_IMAGE IMAGE...\n";
    return 2;
  }
  try
  {
    torch::set_num_threads(static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
    auto loaded = medcrypt::LoadModelFile(argv[1]);
    medcrypt::CipherNetImpl & net = *loaded.net;
    net.eval();
    for (auto & parameter : net.parameters())
    {
      parameter.requires_grad_(false);
    }
    const int seconds = std::atoi(argv[2]);
    const int tile = net.config().tileSize;
    std::cout << std::fixed << std::setprecision(2)
              << "| image | decoder dB / SSIM | refined (3) dB / SSIM | L-BFGS fit dB / SSIM (iterations) | fit's "
                 "re-encryption vs C, dB | encoder gain along the fit's error | gain, white noise | gain, smooth noise "
                 "| white / "
                 "smooth |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (int i = 3; i < argc; ++i)
    {
      const torch::Tensor plain = LoadTile(argv[i], tile);
      const std::array<double, 4> x0{ 0.31 + 0.01 * i, 0.52, 0.73, 0.64 }; // fixed, different per image
      const auto keys = medcrypt::StackFeatureKeys({ medcrypt::MakeFeatureKeys(
        x0, medcrypt::UserKey::DefaultMu, medcrypt::UserKey::DefaultBurnIn, net.config(), tile) });
      torch::Tensor cipher;
      torch::Tensor decoded;
      torch::Tensor refined;
      {
        torch::NoGradGuard noGradients;
        const auto encrypted = net.encrypt(plain, keys);
        cipher = (encrypted.cipher * 65535.0).round() / 65535.0; // stored as 16 bits
        decoded = net.decryptWithParameters(cipher, encrypted.alphas, keys);
        refined = medcrypt::RefineDecryption(net, cipher, encrypted.alphas, keys, decoded, 3);
      }
      const auto [fit, iterations] =
        medcrypt::FitEncryption(net,
                                cipher,
                                keys,
                                refined,
                                std::numeric_limits<int>::max(),
                                std::chrono::steady_clock::now() + std::chrono::seconds(seconds));
      torch::Tensor reencrypted;
      {
        torch::NoGradGuard noGradients;
        reencrypted = net.encrypt(fit, keys).cipher;
      }
      const double whiteGain = EncoderGain(net, plain, keys, NoiseChange(plain, 1, 1000 + i));
      const double smoothGain = EncoderGain(net, plain, keys, NoiseChange(plain, 8, 2000 + i));
      std::cout << "| " << argv[i] << " | " << Psnr(decoded, plain) << " / " << std::setprecision(4)
                << Ssim(decoded, plain) << std::setprecision(2) << " | " << Psnr(refined, plain) << " / "
                << std::setprecision(4) << Ssim(refined, plain) << std::setprecision(2) << " | " << Psnr(fit, plain)
                << " / " << std::setprecision(4) << Ssim(fit, plain) << " (" << iterations << ") | "
                << std::setprecision(2) << Psnr(reencrypted, cipher) << " | " << std::setprecision(5)
                << Rms(reencrypted, cipher) / Rms(fit, plain) << " | " << whiteGain << " | " << smoothGain << " | "
                << std::setprecision(3) << whiteGain / smoothGain << std::setprecision(2) << " |" << std::endl;
    }
  }
  catch (const std::exception & error)
  {
    std::cerr << "medcrypt_bench_encoder_conditioning: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
