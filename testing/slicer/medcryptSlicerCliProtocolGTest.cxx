// The Slicer CLI protocol of wrapping/slicer in-process: reading a module's XML description and parsing
// a command line against it, on a small description written here with every kind of parameter.
#include "SlicerCliDescription.h"
#include "SlicerCliModule.h"
#include "SlicerProgress.h"

#include "medcrypt/Error.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

using medcrypt::slicer::ParseSlicerCliArguments;
using medcrypt::slicer::ParseSlicerCliDescription;
using medcrypt::slicer::SlicerCliDescription;

// The positional parameters are declared out of index order, and a description uses an entity and CDATA.
const std::string TestXml = R"(<?xml version="1.0" encoding="utf-8"?>
<executable>
  <category>Test</category>
  <title>Protocol test</title>
  <version>1.2</version>
  <parameters>
    <label>All</label>
    <description>Every kind.</description>
    <image><name>second</name><label>Second</label><channel>output</channel><index>1</index>
      <description>written &amp; read</description></image>
    <image><name>first</name><label>First</label><channel>input</channel><index>0</index>
      <description><![CDATA[read <first>]]></description></image>
    <boolean><name>fast</name><label>Fast</label><channel>input</channel><longflag>--fast</longflag>
      <description>b</description><default>false</default></boolean>
    <integer><name>count</name><label>Count</label><channel>input</channel><longflag>count</longflag>
      <description>i</description><default>3</default></integer>
    <string-enumeration><name>mode</name><label>Mode</label><channel>input</channel><longflag>mode</longflag>
      <description>e</description><default>a</default><element>a</element><element>b</element></string-enumeration>
    <file><name>extra</name><label>Extra</label><channel>input</channel><longflag>extraFile</longflag>
      <description>f</description></file>
    <float><name>score</name><label>Score</label><channel>output</channel><description>r</description></float>
  </parameters>
</executable>
)";

std::vector<std::string>
Split(const std::string & text)
{
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size())
  {
    const auto end = text.find(' ', start);
    words.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return words;
}

TEST(SlicerCliProtocol, DescriptionHoldsEveryParameterAsWritten)
{
  const SlicerCliDescription description = ParseSlicerCliDescription(TestXml);
  EXPECT_EQ(description.title, "Protocol test");
  EXPECT_EQ(description.category, "Test");
  EXPECT_EQ(description.version, "1.2");
  ASSERT_EQ(description.parameters.size(), 7u);
  const auto & second = description.parameters[0];
  EXPECT_EQ(second.tag, "image");
  EXPECT_EQ(second.name, "second");
  EXPECT_EQ(second.channel, "output");
  EXPECT_EQ(second.index, 1);
  EXPECT_EQ(second.description, "written & read");
  EXPECT_EQ(description.parameters[1].description, "read <first>");
  EXPECT_EQ(description.parameters[2].longflag, "fast"); // leading dashes dropped
  EXPECT_EQ(description.parameters[4].elements, (std::vector<std::string>{ "a", "b" }));
  EXPECT_EQ(description.parameters[5].longflag, "extraFile");
  EXPECT_FALSE(description.parameters[5].hasDefault);
  EXPECT_TRUE(description.parameters[6].IsReturnParameter());
  EXPECT_FALSE(second.IsReturnParameter());
  EXPECT_TRUE(description.HasReturnParameters());
}

TEST(SlicerCliProtocol, BrokenDescriptionsAreDefectsOfTheModule)
{
  EXPECT_THROW(ParseSlicerCliDescription("<executable><parameters>"), std::logic_error);
  EXPECT_THROW(ParseSlicerCliDescription("<other/>"), std::logic_error);
  EXPECT_THROW(ParseSlicerCliDescription("<executable><title>t</category></executable>"), std::logic_error);
  EXPECT_THROW(ParseSlicerCliDescription("<executable><title>&nbsp;</title></executable>"), std::logic_error);
  EXPECT_THROW(ParseSlicerCliDescription("<executable/><executable/>"), std::logic_error);
  EXPECT_THROW(ParseSlicerCliDescription("<executable attribute=unquoted/>"), std::logic_error);
  // Well-formed: character references, comments, attributes and an empty root.
  EXPECT_EQ(
    ParseSlicerCliDescription("<!-- c --><executable a='1'><title>A&#66;&#x43;<!-- c --></title></executable>").title,
    "ABC");
  EXPECT_TRUE(ParseSlicerCliDescription("<executable/>").parameters.empty());
  EXPECT_THROW(ParseSlicerCliDescription("<executable><parameters><file><name>f</name><channel>input</channel>"
                                         "</file></parameters></executable>"),
               std::logic_error); // an input without longflag or index
  EXPECT_THROW(ParseSlicerCliDescription("<executable><parameters><file><name>f</name><index>x</index>"
                                         "</file></parameters></executable>"),
               std::logic_error);
}

// The reader's message names the line and what is wrong (the innermost open element).
std::string
DescriptionError(const std::string & xml)
{
  try
  {
    ParseSlicerCliDescription(xml);
  }
  catch (const std::logic_error & error)
  {
    return error.what();
  }
  return "no error";
}

TEST(SlicerCliProtocol, BrokenXmlIsReportedWithItsLine)
{
  EXPECT_EQ(DescriptionError("<executable>\n<parameters>\n"),
            "Slicer module XML: XML is not well-formed (line 3): <parameters> is not closed");
  EXPECT_EQ(DescriptionError("<executable>\n<title>t</category></executable>"),
            "Slicer module XML: XML is not well-formed (line 2): mismatched tag (inside <title>)");
  // The spaces around entities and CDATA sections are kept (the description trims only both ends).
  EXPECT_EQ(ParseSlicerCliDescription("<executable><title> a &amp; <![CDATA[ <b> ]]> c </title></executable>").title,
            "a &  <b>  c");
}

TEST(SlicerCliProtocol, ArgumentsFollowTheDescription)
{
  const SlicerCliDescription description = ParseSlicerCliDescription(TestXml);
  const auto values = ParseSlicerCliArguments(description, Split("in.nrrd out.nrrd --fast --mode b --extraFile x"));
  EXPECT_EQ(values.String("first"), "in.nrrd"); // index 0, though declared second
  EXPECT_EQ(values.String("second"), "out.nrrd");
  EXPECT_TRUE(values.Flag("fast"));
  EXPECT_EQ(values.String("count"), "3"); // the default
  EXPECT_EQ(values.String("mode"), "b");
  EXPECT_EQ(values.String("extra"), "x");
  EXPECT_FALSE(values.Has("score"));
  EXPECT_FALSE(values.Has("returnparameterfile"));

  const auto defaults = ParseSlicerCliArguments(description, Split("--returnparameterfile r.txt in out"));
  EXPECT_FALSE(defaults.Flag("fast"));
  EXPECT_FALSE(defaults.Has("extra"));
  EXPECT_EQ(defaults.String("returnparameterfile"), "r.txt");
}

TEST(SlicerCliProtocol, ArgumentsOutsideTheDescriptionAreRefused)
{
  const SlicerCliDescription description = ParseSlicerCliDescription(TestXml);
  for (const std::string arguments : { "in",                      // a positional volume missing
                                       "in out --count 2x",       // not an integer
                                       "in out --mode c",         // not a choice
                                       "in out --extra x",        // the name, not the longflag
                                       "in out --extraF x",       // an abbreviation
                                       "in out --first in",       // an index parameter as an option
                                       "--first in --second out", // both
                                       "in out --count" })        // a value missing
  {
    EXPECT_THROW(ParseSlicerCliArguments(description, Split(arguments)), medcrypt::UserError) << arguments;
  }
}

TEST(SlicerCliProtocol, ReturnValuesReadBackExactly)
{
  for (const double value : { 0.1, 1.0 / 3.0, 99.60937500000001, 7.997234e-5, -2.5 })
  {
    EXPECT_EQ(std::stod(medcrypt::slicer::FormatReturnValue(value)), value);
  }
}

} // namespace

TEST(SlicerCliProtocol, ProgressFollowsSlicersTags)
{
  std::ostringstream out;
  {
    medcrypt::slicer::SlicerProgressReporter progress(out, "Encrypt", "a<b & c>d.nrrd");
    progress.Report(0.25);
    progress.Report(0.25);   // a repeated value is not printed again
    progress.Report(0.2501); // nor one that rounds to it
    progress.Report(-3);     // clamped
    progress.Finish();
    progress.Report(0.5); // after the end: nothing
    progress.Finish();
  }
  const std::string text = out.str();
  const std::string expectedStart = "<filter-start>\n<filter-name>Encrypt</filter-name>\n"
                                    "<filter-comment>a&lt;b &amp; c&gt;d.nrrd</filter-comment>\n</filter-start>\n"
                                    "<filter-progress>0.250</filter-progress>\n"
                                    "<filter-progress>0.000</filter-progress>\n"
                                    "<filter-progress>1.000</filter-progress>\n"
                                    "<filter-end>\n<filter-name>Encrypt</filter-name>\n<filter-time>";
  EXPECT_EQ(text.substr(0, expectedStart.size()), expectedStart) << text;
  EXPECT_EQ(text.substr(text.size() - std::string("</filter-time>\n</filter-end>\n").size()),
            "</filter-time>\n</filter-end>\n");
  EXPECT_EQ(text.find("<filter-end>"), text.rfind("<filter-end>")) << "one end only";
}
