#include "SlicerCliModule.h"

#include "medcrypt/Error.h"
#include "medcryptSidecar.h"

#include "itkMacro.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace medcrypt::slicer
{

namespace po = boost::program_options;

namespace
{

constexpr const char * ReturnParameterFileOption = "returnparameterfile";

/** The index parameters in index order. */
std::vector<const SlicerCliParameter *>
PositionalParameters(const SlicerCliDescription & description)
{
  std::vector<const SlicerCliParameter *> positional;
  for (const auto & parameter : description.parameters)
  {
    if (parameter.index >= 0)
    {
      positional.push_back(&parameter);
    }
  }
  std::sort(positional.begin(),
            positional.end(),
            [](const SlicerCliParameter * a, const SlicerCliParameter * b) { return a->index < b->index; });
  return positional;
}

/** How --help shows the value of `parameter`: its choices, or a word for its type. */
std::string
ValueNameOf(const SlicerCliParameter & parameter)
{
  if (!parameter.elements.empty())
  {
    std::string choices;
    for (const auto & element : parameter.elements)
    {
      choices += (choices.empty() ? "" : "|") + element;
    }
    return choices;
  }
  if (parameter.tag == "image")
  {
    return "VOLUME";
  }
  if (parameter.tag == "integer")
  {
    return "N";
  }
  if (parameter.tag == "float" || parameter.tag == "double")
  {
    return "X";
  }
  return parameter.tag == "file" || parameter.tag == "directory" ? "FILE" : "VALUE";
}

/** The options of `description` for Boost.Program_options: the --longflag parameters, and (when
 * `withPositional`) the index parameters, which ParseSlicerCliArguments accepts only by position. */
po::options_description
OptionsOf(const SlicerCliDescription & description, bool withPositional)
{
  po::options_description options("Options", 100);
  for (const auto & parameter : description.parameters)
  {
    if (parameter.IsReturnParameter() || (parameter.index >= 0 && !withPositional))
    {
      continue;
    }
    const std::string key = parameter.index >= 0 ? parameter.name : parameter.longflag;
    const std::string help =
      parameter.description +
      (parameter.hasDefault && parameter.tag != "boolean" ? " (default: " + parameter.defaultValue + ")" : "");
    if (parameter.tag == "boolean")
    {
      options.add_options()(key.c_str(), po::bool_switch(), help.c_str());
    }
    else
    {
      options.add_options()(key.c_str(), po::value<std::string>()->value_name(ValueNameOf(parameter)), help.c_str());
    }
  }
  if (description.HasReturnParameters())
  {
    options.add_options()(ReturnParameterFileOption,
                          po::value<std::string>()->value_name("FILE"),
                          "file that receives the return parameters as name = value lines (Slicer passes it)");
  }
  return options;
}

/** Throws UserError unless `value` is a well-formed value of `parameter`'s type. */
void
CheckValue(const SlicerCliParameter & parameter, const std::string & value)
{
  const std::string option = parameter.index >= 0 ? parameter.name : "--" + parameter.longflag;
  std::size_t used = 0;
  try
  {
    if (parameter.tag == "integer")
    {
      static_cast<void>(std::stoll(value, &used));
    }
    else if (parameter.tag == "float" || parameter.tag == "double")
    {
      static_cast<void>(std::stod(value, &used));
    }
    else
    {
      used = value.size();
    }
  }
  catch (const std::exception &)
  {
    used = 0;
  }
  if (used != value.size() || value.empty())
  {
    if (parameter.tag == "integer" || parameter.tag == "float" || parameter.tag == "double")
    {
      throw UserError(option + ": \"" + value + "\" is not a" + (parameter.tag == "integer" ? "n integer" : " number"));
    }
  }
  if (parameter.tag.find("-enumeration") != std::string::npos &&
      std::find(parameter.elements.begin(), parameter.elements.end(), value) == parameter.elements.end())
  {
    std::string choices;
    for (const auto & element : parameter.elements)
    {
      choices += (choices.empty() ? "" : ", ") + element;
    }
    throw UserError(option + ": \"" + value + "\" is not one of " + choices);
  }
}

/** Writes `text` to `path` under a temporary name and renames it. */
void
WriteTextAtomically(const std::string & path, const std::string & text)
{
  CheckWritableDirectoryOf(path);
  const std::string temporary = TemporaryPathFor(path);
  WriteBytesFile(temporary, ByteView(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()));
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error)
  {
    std::filesystem::remove(temporary, error);
    throw UserError("cannot write " + path + " (renaming the temporary file failed)");
  }
}

/** Checks that `values` names exactly the return parameters of `description` and formats them. */
std::string
ReturnParameterLines(const SlicerCliDescription & description, const SlicerCliReturnValues & values)
{
  std::set<std::string> declared;
  for (const auto & parameter : description.parameters)
  {
    if (parameter.IsReturnParameter())
    {
      declared.insert(parameter.name);
    }
  }
  std::set<std::string> given;
  std::string lines;
  for (const auto & [name, value] : values)
  {
    if (declared.count(name) == 0 || !given.insert(name).second)
    {
      throw std::logic_error("the module reports " + name + ", which is not a return parameter of its XML (or twice)");
    }
    lines += name + " = " + FormatReturnValue(value) + "\n";
  }
  if (given != declared)
  {
    throw std::logic_error("the module does not report every return parameter of its XML");
  }
  return lines;
}

} // namespace

bool
SlicerCliValues::Has(const std::string & name) const
{
  return m_Values.count(name) > 0;
}

const std::string &
SlicerCliValues::String(const std::string & name) const
{
  const auto found = m_Values.find(name);
  if (found == m_Values.end())
  {
    throw std::logic_error("the module asks for " + name + ", which has no value");
  }
  return found->second;
}

bool
SlicerCliValues::Flag(const std::string & name) const
{
  return String(name) == "true";
}

void
SlicerCliValues::Set(const std::string & name, const std::string & value)
{
  m_Values[name] = value;
}

SlicerCliValues
ParseSlicerCliArguments(const SlicerCliDescription & description, const std::vector<std::string> & arguments)
{
  const po::options_description options = OptionsOf(description, true);
  po::positional_options_description positional;
  std::set<std::string> positionalNames;
  for (const auto * parameter : PositionalParameters(description))
  {
    positional.add(parameter->name.c_str(), 1);
    positionalNames.insert(parameter->name);
  }
  po::variables_map map;
  try
  {
    const po::parsed_options parsed =
      po::command_line_parser(arguments)
        .options(options)
        .positional(positional)
        .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
        .run();
    for (const auto & option : parsed.options)
    {
      // The index parameters have no longflag: Boost would also take them as --name VALUE.
      if (option.position_key < 0 && positionalNames.count(option.string_key) > 0)
      {
        throw po::unknown_option("--" + option.string_key);
      }
    }
    po::store(parsed, map);
    po::notify(map);
  }
  catch (const po::error & error)
  {
    throw UserError(std::string(error.what()) + " (run with --help for the arguments)");
  }
  SlicerCliValues values;
  for (const auto & parameter : description.parameters)
  {
    if (parameter.IsReturnParameter())
    {
      continue;
    }
    const std::string key = parameter.index >= 0 ? parameter.name : parameter.longflag;
    if (parameter.tag == "boolean")
    {
      const bool given = map[key].as<bool>();
      values.Set(parameter.name, given || parameter.defaultValue == "true" ? "true" : "false");
    }
    else if (map.count(key) > 0)
    {
      const std::string & value = map[key].as<std::string>();
      CheckValue(parameter, value);
      values.Set(parameter.name, value);
    }
    else if (parameter.index >= 0)
    {
      throw UserError("missing argument " + parameter.name + " (" + parameter.label + ", position " +
                      std::to_string(parameter.index + 1) + "; run with --help for the arguments)");
    }
    else if (parameter.hasDefault)
    {
      values.Set(parameter.name, parameter.defaultValue);
    }
  }
  if (map.count(ReturnParameterFileOption) > 0)
  {
    values.Set(ReturnParameterFileOption, map[ReturnParameterFileOption].as<std::string>());
  }
  return values;
}

std::string
SlicerCliUsage(const SlicerCliDescription & description, const std::string & program)
{
  std::ostringstream usage;
  usage << description.title << " (3D Slicer CLI module, category " << description.category << ", version "
        << description.version << ")\n\nusage: " << program << " [options]";
  for (const auto * parameter : PositionalParameters(description))
  {
    usage << " " << parameter->name;
  }
  usage << "\n\n";
  for (const auto * parameter : PositionalParameters(description))
  {
    usage << "  " << parameter->name << ": " << parameter->description << "\n";
  }
  po::options_description protocol("Slicer CLI protocol", 100);
  protocol.add_options()("xml", "print the module's XML description (Slicer runs this to learn the parameters)")(
    "help", "print this text");
  usage << "\n" << OptionsOf(description, false) << "\n" << protocol;
  return usage.str();
}

std::string
FormatReturnValue(double value)
{
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

int
RunSlicerCliModule(const std::string & xml,
                   int argc,
                   char ** argv,
                   const std::function<SlicerCliReturnValues(const SlicerCliValues &)> & body)
{
  const std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "module";
  const std::vector<std::string> arguments(argv + std::min(argc, 1), argv + argc);
  try
  {
    if (std::find(arguments.begin(), arguments.end(), "--xml") != arguments.end())
    {
      std::cout << xml;
      return 0;
    }
    const SlicerCliDescription description = ParseSlicerCliDescription(xml);
    if (std::find(arguments.begin(), arguments.end(), "--help") != arguments.end())
    {
      std::cout << SlicerCliUsage(description, program);
      return 0;
    }
    const SlicerCliValues values = ParseSlicerCliArguments(description, arguments);
    const SlicerCliReturnValues returned = body(values);
    const std::string lines = ReturnParameterLines(description, returned);
    if (values.Has(ReturnParameterFileOption))
    {
      WriteTextAtomically(values.String(ReturnParameterFileOption), lines);
    }
    std::cout << lines << std::flush;
    return 0;
  }
  catch (const UserError & error)
  {
    std::cerr << program << ": error: " << error.what() << std::endl;
  }
  catch (const itk::ExceptionObject & error)
  {
    std::cerr << program << ": error: " << error.GetDescription() << std::endl;
  }
  catch (const std::exception & error)
  {
    std::cerr << program << ": internal error: " << error.what() << std::endl;
  }
  return 1;
}

} // namespace medcrypt::slicer
