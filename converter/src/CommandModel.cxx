// medcrypt model: a network configuration (preset) and its parameter counts next to the paper's Table 1.
#include "Commands.h"

#include "medcrypt/Error.h"
#include "medcrypt/ModelConfig.h"
#include "medcrypt/ModelSummary.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace medcrypt::cli
{

namespace
{

std::string
ListText(const std::vector<int> & values)
{
  std::ostringstream text;
  for (std::size_t i = 0; i < values.size(); ++i)
  {
    text << (i ? ", " : "") << values[i];
  }
  return text.str();
}

} // namespace

int
RunModel(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "model";
  spec.synopsis = "medcrypt model --preset paper|default|tiny [--json]";
  spec.summary = "Prints a network configuration and its parameter count per module. For the paper preset the\n"
                 "counts stand next to the paper's Table 1 (79.4 M parameters in all).";
  spec.options.add_options()("preset",
                             po::value<std::string>()->required()->value_name("NAME"),
                             "paper (Table 1), default (trainable on a CPU) or tiny (tests)")(
    "json", po::bool_switch(), "print JSON instead of a table");
  const auto values = Parse(spec, arguments);

  const ModelConfig config = ModelConfigPreset(values["preset"].as<std::string>());
  const bool paper = config.preset == "paper";
  const auto rows = CountParametersByModule(config);
  std::int64_t total = 0;
  for (const auto & row : rows)
  {
    total += row.parameters;
  }

  if (values["json"].as<bool>())
  {
    nlohmann::ordered_json report;
    report["config"] = nlohmann::ordered_json::parse(ModelConfigToJson(config));
    report["parameters"] = nlohmann::json::array();
    for (const auto & row : rows)
    {
      nlohmann::ordered_json entry;
      entry["module"] = row.module;
      entry["description"] = row.description;
      entry["parameters"] = row.parameters;
      if (paper)
      {
        entry["table1"] = row.paperTable1 < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(row.paperTable1);
      }
      report["parameters"].push_back(entry);
    }
    report["total"] = total;
    if (paper)
    {
      report["table1_total"] = PaperTable1TotalParameters;
    }
    std::cout << report.dump(2) << std::endl;
    return 0;
  }

  std::cout << "preset " << config.preset << ": tile " << config.tileSize << ", " << config.Levels()
            << " levels, sub-pixel factor r = " << config.SubPixelFactor() << "\n"
            << "  channels           head " << config.headChannels << ", levels " << ListText(config.levelChannels)
            << "\n  FFPM blocks        features " << ListText(config.encryptionBlocks) << "; key projection "
            << ListText(config.keyProjectionBlocks) << "; alpha " << config.alphaBlocks << "\n  FFDM blocks        "
            << ListText(config.decryptionBlocks) << " (decryption order)"
            << "\n  FFEM               " << config.ffemCouplings << " coupling(s), " << config.ffemDenseLayers
            << " dense layers, widths " << ListText(config.ffemGrowth) << "\n  LeakyReLU slope    " << config.leakySlope
            << ", alpha in [" << config.alphaMin << ", " << config.alphaMax << "]\n\n";
  std::cout << std::left << std::setw(10) << "module" << std::right << std::setw(13) << "parameters";
  if (paper)
  {
    std::cout << std::setw(13) << "Table 1";
  }
  std::cout << "  " << std::left << "contents\n";
  for (const auto & row : rows)
  {
    std::cout << std::left << std::setw(10) << row.module << std::right << std::setw(13) << row.parameters;
    if (paper)
    {
      std::cout << std::setw(13) << (row.paperTable1 < 0 ? std::string("-") : std::to_string(row.paperTable1));
    }
    std::cout << "  " << row.description << "\n";
  }
  std::cout << std::left << std::setw(10) << "total" << std::right << std::setw(13) << total;
  if (paper)
  {
    std::cout << std::setw(13) << PaperTable1TotalParameters << "  ("
              << Fixed(100.0 * static_cast<double>(total - PaperTable1TotalParameters) /
                         static_cast<double>(PaperTable1TotalParameters),
                       1)
              << "% against Table 1)";
  }
  std::cout << std::endl;
  return 0;
}

} // namespace medcrypt::cli
