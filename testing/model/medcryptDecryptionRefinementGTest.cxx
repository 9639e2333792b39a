// Network-only decryption refined by defect correction (DecryptionRefinement.h) and the L-BFGS fit of
// E(x) = C (EncryptionFit.h), on the shipped model.
#include "medcrypt/CipherNet.h"
#include "medcrypt/DecryptionRefinement.h"
#include "medcrypt/EncryptionFit.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/NeuralCipher.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <stdexcept>
#include <vector>

namespace
{

using namespace medcrypt;

/** A 256 x 256 test tile in [0, 1]: four ellipses of different intensity on a dark background, a smooth
 * ramp and a little seeded noise, in the spirit of the project's phantoms. */
torch::Tensor
EllipseTile(int edge = 256)
{
  const auto axis = torch::linspace(-1.0, 1.0, edge);
  const auto y = axis.view({ edge, 1 }).expand({ edge, edge });
  const auto x = axis.view({ 1, edge }).expand({ edge, edge });
  torch::Tensor tile = 0.1 + 0.05 * x;
  const auto ellipse = [&](double cx, double cy, double a, double b, double value)
  { tile = torch::where(((x - cx) / a).pow(2) + ((y - cy) / b).pow(2) < 1.0, tile + value, tile); };
  ellipse(0.0, 0.0, 0.8, 0.9, 0.5);
  ellipse(-0.3, 0.1, 0.2, 0.35, -0.2);
  ellipse(0.3, -0.2, 0.15, 0.25, 0.25);
  ellipse(0.1, 0.5, 0.08, 0.08, 0.15);
  torch::manual_seed(5);
  tile = tile + 0.01 * torch::randn({ edge, edge });
  return tile.clamp(0.0, 1.0).view({ 1, 1, edge, edge }).to(torch::kFloat32);
}

double
Psnr(const torch::Tensor & a, const torch::Tensor & b)
{
  return 10.0 * std::log10(1.0 / (a - b).pow(2).mean().item<double>());
}

struct ShippedCase
{
  CipherNet net{ nullptr };
  torch::Tensor plain;
  torch::Tensor cipher; // quantised to 16 bits, as written
  std::vector<torch::Tensor> keys;
  std::vector<torch::Tensor> alphas;
  torch::Tensor decoded;
};

ShippedCase
EncryptWithTheShippedModel()
{
  ShippedCase c;
  c.net = LoadModelFile(MEDCRYPT_SHIPPED_MODEL).net;
  c.net->eval();
  torch::NoGradGuard noGradients;
  c.plain = EllipseTile(c.net->config().tileSize);
  c.keys = StackFeatureKeys({ MakeFeatureKeys({ 0.31, 0.47, 0.59, 0.73 }, 3.99, 1000, c.net->config(), 256) });
  const EncryptResult encrypted = c.net->encrypt(c.plain, c.keys);
  c.cipher = torch::round(encrypted.cipher * 65535.0) / 65535.0;
  c.alphas = c.net->recoverAlphas(encrypted.encryptedParameters, c.keys);
  c.decoded = c.net->decryptWithParameters(c.cipher, c.alphas, c.keys);
  return c;
}

TEST(DecryptionRefinement, ZeroIterationsGiveTheDecoderOutputAndNegativeAreRefused)
{
  auto c = EncryptWithTheShippedModel();
  EXPECT_TRUE(torch::equal(RefineDecryption(*c.net, c.cipher, c.alphas, c.keys, c.decoded, 0), c.decoded));
  EXPECT_THROW(RefineDecryption(*c.net, c.cipher, c.alphas, c.keys, c.decoded, -1), std::invalid_argument);
}

TEST(DecryptionRefinement, RefinedDecryptionIsCloserToThePlaintextAndToTheCiphertext)
{
  auto c = EncryptWithTheShippedModel();
  const torch::Tensor refined = RefineDecryption(*c.net, c.cipher, c.alphas, c.keys, c.decoded, 3);
  EXPECT_GE(refined.min().item<float>(), 0.0f);
  EXPECT_LE(refined.max().item<float>(), 1.0f);
  const double decoderPsnr = Psnr(c.decoded, c.plain);
  const double refinedPsnr = Psnr(refined, c.plain);
  // Measured when the test was written: the decoder 28.0 dB, refined 29.1 dB. The bar leaves room for
  // another trained model, but a refinement that does nothing or harms fails it.
  EXPECT_GT(refinedPsnr, decoderPsnr + 0.5) << "decoder " << decoderPsnr << " dB, refined " << refinedPsnr << " dB";

  // Its mechanism: the refined plaintext, encrypted again, is nearer the ciphertext than the decoder's.
  torch::NoGradGuard noGradients;
  const auto residual = [&](const torch::Tensor & plain)
  { return (c.net->encrypt(plain, c.keys).cipher - c.cipher).pow(2).mean().item<double>(); };
  EXPECT_LT(residual(refined), residual(c.decoded));
}

TEST(DecryptionRefinement, WhereAuthenticIsThePlainRefinementOnIntactTilesAndKeepsTheDecoderOnChangedOnes)
{
  auto c = EncryptWithTheShippedModel();
  torch::NoGradGuard noGradients;
  // A batch of two copies of the tile: the first wholly authentic, the second wholly changed.
  const auto twice = [](const torch::Tensor & t) { return torch::cat({ t, t }, 0); };
  std::vector<torch::Tensor> keys;
  std::vector<torch::Tensor> alphas;
  for (const auto & k : c.keys)
  {
    keys.push_back(twice(k));
  }
  for (const auto & a : c.alphas)
  {
    alphas.push_back(twice(a));
  }
  const torch::Tensor authentic = torch::cat({ torch::ones_like(c.cipher), torch::zeros_like(c.cipher) }, 0);
  const torch::Tensor refined =
    RefineDecryptionWhereAuthentic(*c.net, twice(c.cipher), authentic, alphas, keys, twice(c.decoded), 3);
  const torch::Tensor plain = RefineDecryption(*c.net, c.cipher, c.alphas, c.keys, c.decoded, 3);
  EXPECT_TRUE(torch::allclose(refined.narrow(0, 0, 1), plain, 0.0, 1e-5));
  EXPECT_TRUE(torch::equal(refined.narrow(0, 1, 1), c.decoded));
  EXPECT_THROW(RefineDecryptionWhereAuthentic(*c.net, c.cipher, authentic, c.alphas, c.keys, c.decoded, 3),
               std::invalid_argument);
}

TEST(DecryptionRefinement, WhereAuthenticRecoversAPartlyErasedCiphertextBetterThanTheDecoderOrThePlainRefinement)
{
  auto c = EncryptWithTheShippedModel();
  torch::NoGradGuard noGradients;
  // Erase a seeded tenth of the pixels to 0 in scattered 2 x 2 blocks, as a stored crop lands on the network's
  // layout once the permutation is undone.
  torch::manual_seed(11);
  const int64_t edge = c.cipher.size(-1);
  const torch::Tensor blocks = (torch::rand({ 1, 1, edge / 2, edge / 2 }) >= 0.1).to(torch::kFloat32);
  const torch::Tensor authentic = torch::nn::functional::interpolate(
    blocks, torch::nn::functional::InterpolateFuncOptions().scale_factor(std::vector<double>{ 2.0, 2.0 }));
  const torch::Tensor erased = c.cipher * authentic;
  const torch::Tensor decoded = c.net->decryptWithParameters(erased, c.alphas, c.keys);
  const double decoderPsnr = Psnr(decoded, c.plain);
  const double plainPsnr = Psnr(RefineDecryption(*c.net, erased, c.alphas, c.keys, decoded, 3), c.plain);
  const double maskedPsnr =
    Psnr(RefineDecryptionWhereAuthentic(*c.net, erased, authentic, c.alphas, c.keys, decoded, 3), c.plain);
  // Measured when the test was written: see the message. A masked refinement that does not beat both by
  // a clear margin has lost what the pool digests are for.
  EXPECT_GT(maskedPsnr, decoderPsnr + 1.0)
    << "decoder " << decoderPsnr << ", plain refinement " << plainPsnr << ", where authentic " << maskedPsnr << " dB";
  EXPECT_GT(maskedPsnr, plainPsnr + 1.0) << "decoder " << decoderPsnr << ", plain refinement " << plainPsnr
                                         << ", where authentic " << maskedPsnr << " dB";
}

TEST(DecryptionRefinement, TheTrainingStepIsOneRefinementStepWhoseGradientsReachTheDecoderAlone)
{
  auto c = EncryptWithTheShippedModel();
  {
    torch::NoGradGuard noGradients;
    const torch::Tensor oneStep = DefectCorrectionStep(*c.net, c.decoded, c.decoded, c.alphas, c.keys);
    EXPECT_TRUE(
      torch::allclose(oneStep, RefineDecryption(*c.net, c.cipher, c.alphas, c.keys, c.decoded, 1), 0.0, 1e-6));
    EXPECT_FALSE(torch::allclose(oneStep, c.decoded, 0.0, 1e-3)) << "the step must change the estimate";
  }
  // With gradients (as --refinement-training-steps trains): the decoder's parameters receive them, through
  // the first estimate and the decoding of the re-encryption; encryption's never do (E runs without them).
  c.net->zero_grad();
  const torch::Tensor decoded = c.net->decryptWithParameters(c.cipher, c.alphas, c.keys);
  const torch::Tensor refined = DefectCorrectionStep(*c.net, decoded, decoded, c.alphas, c.keys);
  ASSERT_TRUE(refined.requires_grad());
  (refined - c.plain).abs().mean().backward();
  std::set<const void *> decoderParameters;
  for (const auto & parameter : c.net->decryptionOnlyParameters())
  {
    decoderParameters.insert(parameter.unsafeGetTensorImpl());
  }
  std::size_t decoderWithGradient = 0;
  for (const auto & item : c.net->named_parameters())
  {
    const torch::Tensor & gradient = item.value().grad();
    const bool hasGradient = gradient.defined() && gradient.abs().sum().item<double>() > 0.0;
    if (decoderParameters.count(item.value().unsafeGetTensorImpl()))
    {
      decoderWithGradient += hasGradient ? 1 : 0;
    }
    else if (item.key().find("key_projection") == std::string::npos)
    {
      // (The key projections serve decoding too, so they receive gradients through the decoder as in
      // Eq. 25 training; decryption-only training freezes them. Every other parameter is encryption's.)
      EXPECT_FALSE(hasGradient) << item.key() << " belongs to encryption alone";
    }
  }
  EXPECT_GT(decoderWithGradient, decoderParameters.size() / 2);
}

TEST(DecryptionRefinement, NeuralCipherDecryptRefinesWhenAsked)
{
  const auto cipher = NeuralCipher::Load(MEDCRYPT_SHIPPED_MODEL);
  auto c = EncryptWithTheShippedModel();
  torch::NoGradGuard noGradients;
  TileKeyParameters keys;
  keys.x0 = { 0.31, 0.47, 0.59, 0.73 };
  std::vector<float> plain(c.plain.data_ptr<float>(), c.plain.data_ptr<float>() + c.plain.numel());
  std::vector<float> encrypted(plain.size());
  std::vector<float> parameters(cipher->ParametersPerTile());
  cipher->Encrypt(plain.data(), 1, &keys, encrypted.data(), parameters.data());
  for (auto & value : encrypted)
  {
    value = std::round(value * 65535.0f) / 65535.0f;
  }
  std::vector<float> decoded(plain.size());
  std::vector<float> refined(plain.size());
  cipher->Decrypt(encrypted.data(), 1, &keys, parameters.data(), decoded.data());
  cipher->Decrypt(encrypted.data(), 1, &keys, parameters.data(), refined.data(), DefaultRefinementIterations);
  const auto asTensor = [](std::vector<float> & v) {
    return torch::from_blob(v.data(), { 1, 1, 256, 256 }, torch::kFloat32);
  };
  // The library's path is RefineDecryption's on the same quantised ciphertext.
  const auto expectedDecoded = c.net->decryptWithParameters(asTensor(encrypted), c.alphas, c.keys);
  EXPECT_TRUE(torch::allclose(asTensor(decoded), expectedDecoded, 1e-4, 1e-5));
  const auto expected =
    RefineDecryption(*c.net, asTensor(encrypted), c.alphas, c.keys, expectedDecoded, DefaultRefinementIterations);
  EXPECT_TRUE(torch::allclose(asTensor(refined), expected, 1e-4, 1e-5));
  EXPECT_GT(Psnr(asTensor(refined), c.plain), Psnr(asTensor(decoded), c.plain) + 0.5);
  EXPECT_THROW(cipher->Decrypt(encrypted.data(), 1, &keys, parameters.data(), refined.data(), -1), UserError);

  // With an authentic-pixel mask of ones the library refines as without one; with zeros it keeps the decoder.
  std::vector<float> ones(plain.size(), 1.0f);
  std::vector<float> zeros(plain.size(), 0.0f);
  std::vector<float> maskedOnes(plain.size());
  std::vector<float> maskedZeros(plain.size());
  cipher->Decrypt(
    encrypted.data(), 1, &keys, parameters.data(), maskedOnes.data(), DefaultRefinementIterations, ones.data());
  cipher->Decrypt(
    encrypted.data(), 1, &keys, parameters.data(), maskedZeros.data(), DefaultRefinementIterations, zeros.data());
  EXPECT_EQ(maskedOnes, refined);
  EXPECT_EQ(maskedZeros, decoded);
}

TEST(EncryptionFit, LowersTheReencryptionMisfitAndLeavesTheNetworksGradientsAlone)
{
  auto c = EncryptWithTheShippedModel();
  for (auto & parameter : c.net->parameters())
  {
    ASSERT_TRUE(parameter.requires_grad());
    ASSERT_FALSE(parameter.grad().defined());
  }
  const auto misfit = [&](const torch::Tensor & x)
  {
    torch::NoGradGuard noGradients;
    return (c.net->encrypt(x, c.keys).cipher - c.cipher).pow(2).mean().item<double>();
  };
  const auto [fit, iterations] = FitEncryption(*c.net, c.cipher, c.keys, c.decoded, 5);
  EXPECT_EQ(iterations, 5);
  EXPECT_FALSE(fit.requires_grad());
  EXPECT_GE(fit.min().item<double>(), 0.0);
  EXPECT_LE(fit.max().item<double>(), 1.0);
  EXPECT_LT(misfit(fit), 0.5 * misfit(c.decoded));
  for (const auto & parameter : c.net->parameters())
  {
    EXPECT_FALSE(parameter.grad().defined()) << "the fit differentiated the network's parameters";
  }
  // A deadline already passed runs nothing and returns the start.
  const auto [unmoved, none] = FitEncryption(*c.net, c.cipher, c.keys, c.decoded, 5, std::chrono::steady_clock::now());
  EXPECT_EQ(none, 0);
  EXPECT_TRUE(torch::equal(unmoved, c.decoded));
}

} // namespace
