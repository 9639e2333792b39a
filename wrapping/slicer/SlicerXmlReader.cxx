#include "SlicerXmlReader.h"

#include <expat.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace medcrypt::slicer
{

namespace
{

/** The tree expat's callbacks build: the open elements, innermost last, and the finished root. */
struct TreeBuilder
{
  XML_Parser parser;
  std::vector<XmlElement> open;
  XmlElement root;
};

void XMLCALL
OnStartElement(void * userData, const XML_Char * name, const XML_Char ** /*attributes*/)
{
  XmlElement element;
  element.name = name;
  static_cast<TreeBuilder *>(userData)->open.push_back(std::move(element));
}

void XMLCALL
OnEndElement(void * userData, const XML_Char * /*name*/)
{
  auto & builder = *static_cast<TreeBuilder *>(userData);
  XmlElement element = std::move(builder.open.back());
  builder.open.pop_back();
  (builder.open.empty() ? builder.root : builder.open.back().children.emplace_back()) = std::move(element);
}

/** Text, decoded entities and CDATA content, each piece with every character kept. */
void XMLCALL
OnCharacterData(void * userData, const XML_Char * text, int length)
{
  auto & builder = *static_cast<TreeBuilder *>(userData);
  if (!builder.open.empty())
  {
    builder.open.back().text.append(text, static_cast<std::size_t>(length));
  }
}

/** An entity reference expat cannot expand (possible only with an external DTD): refused, like any
 * other undefined entity. */
void XMLCALL
OnSkippedEntity(void * userData, const XML_Char * /*name*/, int /*isParameterEntity*/)
{
  XML_StopParser(static_cast<TreeBuilder *>(userData)->parser, XML_FALSE);
}

} // namespace

const XmlElement *
XmlElement::Child(const std::string & childName) const
{
  const auto found = std::find_if(
    children.begin(), children.end(), [&childName](const XmlElement & child) { return child.name == childName; });
  return found == children.end() ? nullptr : &*found;
}

XmlElement
ReadXmlDocument(const std::string & text)
{
  if (text.size() > static_cast<std::size_t>(INT_MAX))
  {
    throw std::logic_error("XML is not well-formed: the document is too large");
  }
  const std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr), &XML_ParserFree);
  if (!parser)
  {
    throw std::bad_alloc();
  }
  TreeBuilder builder{ parser.get(), {}, {} };
  XML_SetElementHandler(parser.get(), &OnStartElement, &OnEndElement);
  XML_SetCharacterDataHandler(parser.get(), &OnCharacterData);
  XML_SetSkippedEntityHandler(parser.get(), &OnSkippedEntity);
  XML_SetUserData(parser.get(), &builder);
  if (XML_Parse(parser.get(), text.data(), static_cast<int>(text.size()), XML_TRUE) != XML_STATUS_OK)
  {
    const XML_Error code = XML_GetErrorCode(parser.get());
    std::string message = code == XML_ERROR_ABORTED ? "undefined entity" : XML_ErrorString(code);
    if (code == XML_ERROR_NO_ELEMENTS && !builder.open.empty())
    {
      message = "<" + builder.open.back().name + "> is not closed";
    }
    else if (!builder.open.empty())
    {
      message += " (inside <" + builder.open.back().name + ">)";
    }
    throw std::logic_error("XML is not well-formed (line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) +
                           "): " + message);
  }
  return builder.root;
}

} // namespace medcrypt::slicer
