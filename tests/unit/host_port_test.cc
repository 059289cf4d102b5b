// The daemons' address flags (common/host_port.h): what --check-config
// accepts and the message for what it refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/host_port.h"

namespace fedreg {
namespace {

using ::testing::HasSubstr;

TEST(HostPort, AcceptsNamesAddressesAndBracketedIpv6WithAPort) {
  EXPECT_TRUE(CheckHostPort("--server", "centre.example.jp:7443").ok());
  EXPECT_TRUE(CheckHostPort("--server", "10.0.0.5:7443").ok());
  EXPECT_TRUE(CheckHostPort("--server", "[2001:db8::5]:7443").ok());
  EXPECT_TRUE(CheckHostPort("--server", "localhost:65535").ok());
  EXPECT_TRUE(CheckHostPort("--listen", "0.0.0.0:0", true).ok()) << "a listener may ask for any free port";
}

TEST(HostPort, RefusesWhatUsedToPassAndNeverConnectedNamingTheFlagAndValue) {
  auto s = CheckHostPort("--server", "127.0.0.1:");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("--server '127.0.0.1:': no port after the colon"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("write host:port"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "centre.example.jp").message()), HasSubstr("no port"));
  EXPECT_THAT(std::string(CheckHostPort("--server", ":7443").message()), HasSubstr("no host"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "host:70000").message()), HasSubstr("out of range"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "host:0").message()), HasSubstr("out of range"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "host:74x3").message()), HasSubstr("not a number"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "2001:db8::5:7443").message()), HasSubstr("[brackets]"));
  EXPECT_THAT(std::string(CheckHostPort("--server", "cen tre:7443").message()), HasSubstr("cannot be in a host name"));
}

}  // namespace
}  // namespace fedreg
