// medcrypt keys: the feature-key derivation of paper Eq. 2 for every tile of an image.
#include "Commands.h"
#include "ImageReading.h"

#include "medcrypt/CipherHeader.h"
#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/FeatureKeys.h"
#include "medcryptImageTiles.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace medcrypt::cli
{

namespace
{

/** The tile's ciphertext permutation in the format version that encryption writes (CipherHeaderVersion)
 * as {sha256 of the indices as little-endian uint32, the first 16 indices}, or null when the tile edge is
 * not a multiple of that layout's pool edge. */
nlohmann::ordered_json
PermutationSummary(const std::array<double, 4> & x0, const UserKey & key, unsigned tileSize)
{
  const CiphertextLayout layout = CiphertextLayoutOf(CipherHeaderVersion);
  if (tileSize % layout.poolEdge != 0)
  {
    return nullptr;
  }
  TileKeyParameters parameters;
  parameters.x0 = x0;
  parameters.mu = key.mu;
  parameters.burnIn = key.burnIn;
  const std::vector<std::uint32_t> order = CiphertextPermutation(parameters, tileSize, layout);
  std::vector<std::uint8_t> bytes;
  bytes.reserve(order.size() * 4);
  for (const std::uint32_t index : order)
  {
    for (int b = 0; b < 4; ++b)
    {
      bytes.push_back(static_cast<std::uint8_t>(index >> (8 * b)));
    }
  }
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32)
  {
    throw std::runtime_error("OpenSSL could not hash the ciphertext permutation");
  }
  nlohmann::ordered_json summary;
  summary["sha256"] = ToHex(digest);
  summary["first"] = std::vector<std::uint32_t>(order.begin(), order.begin() + 16);
  return summary;
}

std::string
Exact(double value)
{
  char text[40];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

} // namespace

int
RunKeys(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "keys";
  spec.synopsis = "medcrypt keys (--key KEYFILE | --key-env VAR) [--schedule paper|hardened] [--json] IMAGE";
  spec.summary = "Derives, for each tile of IMAGE, the SHA-256 h of its samples, p = (sum im(i) * i) mod 256, the\n"
                 "logistic-map initial values x0_1..x0_4 of the chosen key schedule and the first uniformised\n"
                 "feature-key values after burn-in, and (with --json) the SHA-256 and first indices of each tile's\n"
                 "ciphertext permutation (docs/format.md defines every step bit for bit).";
  AddKeyOptions(spec);
  spec.options.add_options()("schedule", po::value<std::string>()->default_value("hardened"), "paper | hardened")(
    "tile-size", po::value<unsigned>()->default_value(256), "tile edge in pixels (the model's tile size)")(
    "values", po::value<unsigned>()->default_value(8), "number of sequence values printed per x0")(
    "json", po::bool_switch(), "print JSON instead of a table")(
    "image", po::value<std::string>()->required(), "image file (MHA, NRRD, NIfTI, PNG, DICOM)");
  spec.positional.add("image", 1);
  const auto values = Parse(spec, arguments);

  const KeySchedule schedule = KeyScheduleFromString(values["schedule"].as<std::string>());
  const unsigned tileSize = values["tile-size"].as<unsigned>();
  const unsigned count = values["values"].as<unsigned>();
  if (tileSize < 16)
  {
    throw UserError("--tile-size must be at least 16");
  }
  const UserKey key = LoadKey(values);
  const std::string path = values["image"].as<std::string>();

  nlohmann::ordered_json report;
  report["image"] = path;
  report["schedule"] = ToString(schedule);
  report["mu"] = key.mu;
  report["burn_in"] = key.burnIn;
  report["tiles"] = nlohmann::json::array();

  VisitScalarImage(path,
                   [&](auto image)
                   {
                     constexpr unsigned int D = std::remove_reference_t<decltype(*image)>::ImageDimension;
                     const auto region = image->GetLargestPossibleRegion();
                     const auto tiles = TileRegion<D>(region, tileSize);
                     for (const auto & tile : tiles)
                     {
                       std::optional<TilePosition> position;
                       if (tiles.size() > 1)
                       {
                         position = tile.position;
                       }
                       const TileDigest digest = DigestTile(image.GetPointer(), tile.region, position);
                       const auto x0 = DeriveInitialValues(key, digest, schedule);
                       nlohmann::ordered_json entry;
                       entry["row"] = tile.position.row;
                       entry["column"] = tile.position.column;
                       entry["slice"] = tile.position.slice;
                       entry["h"] = ToHex(digest.h);
                       entry["p"] = digest.p;
                       entry["x0"] = nlohmann::json::array();
                       entry["x0_exact"] = nlohmann::json::array();
                       entry["sequence"] = nlohmann::json::array();
                       for (int k = 0; k < 4; ++k)
                       {
                         entry["x0"].push_back(x0[k]);
                         entry["x0_exact"].push_back(Exact(x0[k]));
                         entry["sequence"].push_back(UniformisedSequence(x0[k], key.mu, key.burnIn, count));
                       }
                       entry["permutation"] = PermutationSummary(x0, key, tileSize);
                       report["tiles"].push_back(entry);
                     }
                     return 0;
                   });

  if (values["json"].as<bool>())
  {
    std::cout << report.dump(2) << std::endl;
    return 0;
  }
  std::cout << "image " << path << ", schedule " << ToString(schedule) << ", mu " << key.mu << ", burn-in "
            << key.burnIn << ", " << report["tiles"].size() << " tile(s)\n";
  for (const auto & entry : report["tiles"])
  {
    std::cout << "\ntile row " << entry["row"] << " column " << entry["column"] << " slice " << entry["slice"] << "\n"
              << "  h  " << entry["h"].get<std::string>() << "\n  p  " << entry["p"] << "\n";
    for (int k = 0; k < 4; ++k)
    {
      std::cout << "  x0_" << k + 1 << " " << entry["x0_exact"][k].get<std::string>() << "  y:";
      for (const auto & y : entry["sequence"][k])
      {
        std::cout << " " << Fixed(y.get<double>(), 6);
      }
      std::cout << "\n";
    }
  }
  return 0;
}

} // namespace medcrypt::cli
