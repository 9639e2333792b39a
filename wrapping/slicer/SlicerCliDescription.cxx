#include "SlicerCliDescription.h"

#include "SlicerXmlReader.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace medcrypt::slicer
{

namespace
{

/** `text` without leading and trailing white space. */
std::string
Trimmed(const std::string & text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
  {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/** The text of the first child element `tag` of `node`, trimmed; empty when there is none. */
std::string
ChildText(const XmlElement & node, const std::string & tag, bool * present = nullptr)
{
  const XmlElement * child = node.Child(tag);
  if (present != nullptr)
  {
    *present = child != nullptr;
  }
  return child != nullptr ? Trimmed(child->text) : std::string();
}

/** The parameter of element `node`; throws std::logic_error when the element breaks the schema. */
SlicerCliParameter
ParseParameter(const XmlElement & node)
{
  SlicerCliParameter parameter;
  parameter.tag = node.name;
  parameter.name = ChildText(node, "name");
  if (parameter.name.empty())
  {
    throw std::logic_error("Slicer module XML: a <" + parameter.tag + "> parameter has no <name>");
  }
  parameter.label = ChildText(node, "label");
  parameter.description = ChildText(node, "description");
  parameter.channel = ChildText(node, "channel");
  if (parameter.channel.empty())
  {
    parameter.channel = "input";
  }
  if (parameter.channel != "input" && parameter.channel != "output")
  {
    throw std::logic_error("Slicer module XML: parameter " + parameter.name + " has <channel>" + parameter.channel +
                           "</channel>; use input or output");
  }
  parameter.longflag = ChildText(node, "longflag");
  parameter.longflag.erase(0, parameter.longflag.find_first_not_of('-'));
  bool hasIndex = false;
  const std::string index = ChildText(node, "index", &hasIndex);
  if (hasIndex)
  {
    if (index.empty() || !std::all_of(index.begin(), index.end(), [](unsigned char c) { return std::isdigit(c); }))
    {
      throw std::logic_error("Slicer module XML: parameter " + parameter.name + " has a non-numeric <index>");
    }
    parameter.index = std::stoi(index);
  }
  if (hasIndex && !parameter.longflag.empty())
  {
    throw std::logic_error("Slicer module XML: parameter " + parameter.name + " has both <index> and <longflag>");
  }
  if (!hasIndex && parameter.longflag.empty() && parameter.channel == "input")
  {
    throw std::logic_error("Slicer module XML: input parameter " + parameter.name +
                           " has neither <index> nor <longflag>");
  }
  parameter.defaultValue = ChildText(node, "default", &parameter.hasDefault);
  for (const auto & child : node.children)
  {
    if (child.name == "element")
    {
      parameter.elements.push_back(Trimmed(child.text));
    }
  }
  return parameter;
}

} // namespace

bool
SlicerCliDescription::HasReturnParameters() const
{
  return std::any_of(
    parameters.begin(), parameters.end(), [](const SlicerCliParameter & p) { return p.IsReturnParameter(); });
}

SlicerCliDescription
ParseSlicerCliDescription(const std::string & xml)
{
  XmlElement root;
  try
  {
    root = ReadXmlDocument(xml);
  }
  catch (const std::logic_error & error)
  {
    throw std::logic_error(std::string("Slicer module XML: ") + error.what());
  }
  if (root.name != "executable")
  {
    throw std::logic_error("Slicer module XML: the root element is not <executable>");
  }
  SlicerCliDescription description;
  description.title = ChildText(root, "title");
  description.category = ChildText(root, "category");
  description.version = ChildText(root, "version");
  for (const auto & group : root.children)
  {
    if (group.name != "parameters")
    {
      continue;
    }
    for (const auto & child : group.children)
    {
      if (child.name != "label" && child.name != "description")
      {
        description.parameters.push_back(ParseParameter(child));
      }
    }
  }
  return description;
}

} // namespace medcrypt::slicer
