// yasminctl status (dom0-backend/status_report.h, status_table.h, status_json.h) over an
// in-memory XenStore (fake_xenstore.h): what yasmind publishes reads back as it should, and
// whatever else XenStore holds is reported, never trusted and never printed raw.

#include "status_report.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "desired_state.h"
#include "fake_xenstore.h"
#include "gtest/gtest.h"
#include "status_json.h"
#include "status_table.h"
#include "xenstore_publish.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;
using nlohmann::json;

std::string Home(uint32_t domid) { return "/local/domain/" + std::to_string(domid); }

DomainInfo Info(uint32_t domid, const std::string& name, std::vector<std::string> addresses = {}) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.addresses = std::move(addresses);
  return info;
}

std::string Table(const StatusReport& report) {
  std::ostringstream out;
  PrintStatusTable(report, out);
  return out.str();
}

// Parses FormatStatusJson's output; a parse error fails the test.
json Json(const StatusReport& report) {
  const std::string text = FormatStatusJson(report);
  EXPECT_TRUE(json::accept(text)) << text;
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// Every byte is printable ASCII or a line's end: nothing can drive the terminal.
void ExpectTerminalSafe(const std::string& text) {
  for (size_t i = 0; i < text.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f))
        << "byte " << static_cast<int>(c) << " at " << i << " in:\n" << text;
  }
}

// Whether the report has a problem at path whose description contains what.
bool HasProblem(const StatusReport& report, const std::string& path, const std::string& what) {
  for (const StatusProblem& problem : report.problems) {
    if (problem.path == path && problem.what.find(what) != std::string::npos) return true;
  }
  return false;
}

// A host whose domain homes exist as the toolstack makes them, and whose views yasmind
// publishes (desired_state.h and xenstore_publish.h, as `yasmind --once` does).
class StatusReportTest : public ::testing::Test {
 protected:
  void AddDomain(uint32_t domid, const std::string& name) {
    store_.Add(Home(domid), "", {{domid, Access::kNone}});
    store_.Add(Home(domid) + "/name", name, {{0, Access::kNone}, {domid, Access::kRead}});
  }

  void PublishViews(const std::vector<DomainInfo>& domains) {
    std::vector<XsOperation> operations;
    std::string error;
    ASSERT_TRUE(Publish(&store_, ComputeDesiredState(domains, Policy()), /*dry_run=*/false,
                        kPublishAttempts, /*known=*/nullptr, &operations, &error))
        << error;
  }

  // What a guest's module writes below its rendezvous directory for a peer.
  void AddRendezvousKeys(uint32_t domid, uint32_t peer, int keys) {
    const std::string dir = Home(domid) + "/yasmin/rendezvous/" + std::to_string(peer);
    for (int i = 0; i < keys; i++) store_.Add(dir + "/key" + std::to_string(i), "secret");
  }

  // dom0, guest-a (1) and guest-b (2), everybody allowed to reach everybody.
  void SetUpTwoGuests() {
    AddDomain(0, "Domain-0");
    AddDomain(1, "guest-a");
    AddDomain(2, "guest-b");
    PublishViews({Info(0, "Domain-0"), Info(1, "guest-a", {"10.0.0.1"}),
                  Info(2, "guest-b", {"fd00::2", "10.0.0.2"})});
    AddRendezvousKeys(1, 2, 6);
  }

  StatusReport Read() {
    StatusReport report;
    std::string error;
    EXPECT_TRUE(ReadStatusReport(&store_, &report, &error)) << error;
    return report;
  }

  FakeXenStore store_;
};

TEST_F(StatusReportTest, AnEmptyHostHasNoDomainsNoPairsAndNoProblems) {
  const StatusReport report = Read();
  EXPECT_TRUE(report.domains.empty());
  EXPECT_TRUE(report.pairs.empty());
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(
      "DOMID NAME CID GENERATION PEERS\n"
      "\n"
      "pairs:\n"
      "  none\n",
      Table(report));
  EXPECT_EQ(json::parse(R"({"domains": [], "pairs": [], "problems": []})"), Json(report));
}

TEST_F(StatusReportTest, TwoGuestsReadBackAsYasmindPublishedThem) {
  SetUpTwoGuests();
  const int committed = store_.committed;
  const StatusReport report = Read();

  ASSERT_EQ(3u, report.domains.size());
  const DomainStatus& a = report.domains[1];
  EXPECT_EQ(1u, a.domid);
  EXPECT_EQ(3u, a.cid);
  EXPECT_EQ("guest-a", a.name);
  ASSERT_TRUE(a.view.has_value());
  EXPECT_EQ(1u, a.view->generation);
  ASSERT_EQ(2u, a.view->peers.size());
  EXPECT_EQ(0u, a.view->peers[0].domid);
  EXPECT_EQ(2u, a.view->peers[0].cid);
  EXPECT_EQ(std::vector<std::string>{}, a.view->peers[0].addresses);  // dom0 has none
  EXPECT_EQ(2u, a.view->peers[1].domid);
  EXPECT_EQ(4u, a.view->peers[1].cid);
  const std::vector<std::string> b_addresses = {"10.0.0.2", "fd00::2"};
  EXPECT_EQ(b_addresses, a.view->peers[1].addresses);
  ASSERT_EQ(2u, a.view->rendezvous.size());
  EXPECT_EQ(0u, a.view->rendezvous[0].keys);
  EXPECT_EQ(2u, a.view->rendezvous[1].peer);
  EXPECT_EQ(6u, a.view->rendezvous[1].keys);

  ASSERT_EQ(3u, report.pairs.size());
  for (const DomainPair& pair : report.pairs) EXPECT_FALSE(pair.one_sided());
  EXPECT_TRUE(report.problems.empty()) << report.problems.front().path;

  EXPECT_EQ(
      "DOMID NAME     CID GENERATION PEERS\n"
      "0     Domain-0 2   1          1,2\n"
      "1     guest-a  3   1          0,2\n"
      "2     guest-b  4   1          0,1\n"
      "\n"
      "DOMID PEER CID RENDEZVOUS IP\n"
      "0     1    3   0          10.0.0.1\n"
      "0     2    4   0          10.0.0.2,fd00::2\n"
      "1     0    2   0          -\n"
      "1     2    4   6          10.0.0.2,fd00::2\n"
      "2     0    2   0          -\n"
      "2     1    3   0          10.0.0.1\n"
      "\n"
      "pairs:\n"
      "  Domain-0 (0) <-> guest-a (1)\n"
      "  Domain-0 (0) <-> guest-b (2)\n"
      "  guest-a (1) <-> guest-b (2)\n",
      Table(report));

  // Looking changed nothing: the one transaction was abandoned, not committed.
  EXPECT_EQ(committed, store_.committed);
  EXPECT_EQ(1, store_.abandoned);
}

// The guest's keys below its rendezvous directories are counted, never shown.
TEST_F(StatusReportTest, RendezvousValuesAreNeverPrinted) {
  SetUpTwoGuests();
  const StatusReport report = Read();
  EXPECT_EQ(std::string::npos, Table(report).find("secret"));
  EXPECT_EQ(std::string::npos, FormatStatusJson(report).find("secret"));
}

TEST_F(StatusReportTest, TheJsonHoldsTheSameDataAndParsesBack) {
  SetUpTwoGuests();
  const json document = Json(StatusReportTest::Read());

  ASSERT_EQ(3u, document["domains"].size());
  const json& a = document["domains"][1];
  EXPECT_EQ(1, a["domid"]);
  EXPECT_EQ("guest-a", a["name"]);
  EXPECT_EQ(3, a["cid"]);
  EXPECT_EQ(1, a["view"]["generation"]);
  EXPECT_EQ(json::parse(R"([{"domid": 0, "cid": 2, "ip": []},
                            {"domid": 2, "cid": 4, "ip": ["10.0.0.2", "fd00::2"]}])"),
            a["view"]["peers"]);
  EXPECT_EQ(json::parse(R"([{"peer": 0, "keys": 0}, {"peer": 2, "keys": 6}])"),
            a["view"]["rendezvous"]);
  EXPECT_EQ(json::parse(R"([{"domids": [0, 1], "one_sided": false, "listed_by": [0, 1]},
                            {"domids": [0, 2], "one_sided": false, "listed_by": [0, 2]},
                            {"domids": [1, 2], "one_sided": false, "listed_by": [1, 2]}])"),
            document["pairs"]);
  EXPECT_EQ(json::array(), document["problems"]);
}

TEST_F(StatusReportTest, ADomainWithoutAViewShowsDashes) {
  AddDomain(0, "Domain-0");
  AddDomain(5, "new-guest");
  store_.Add(Home(7), "");  // no name node either
  const StatusReport report = Read();

  ASSERT_EQ(3u, report.domains.size());
  EXPECT_FALSE(report.domains[1].view.has_value());
  EXPECT_FALSE(report.domains[2].name.has_value());
  EXPECT_EQ(
      "DOMID NAME      CID GENERATION PEERS\n"
      "0     Domain-0  2   -          -\n"
      "5     new-guest 7   -          -\n"
      "7     -         9   -          -\n"
      "\n"
      "pairs:\n"
      "  none\n",
      Table(report));
  const json document = Json(report);
  EXPECT_TRUE(document["domains"][1]["view"].is_null());
  EXPECT_TRUE(document["domains"][2]["name"].is_null());
}

// guest-b's view no longer lists guest-a, e.g. half-way through a policy change made by hand.
TEST_F(StatusReportTest, APairOnlyOneViewListsIsOneSided) {
  SetUpTwoGuests();
  store_.nodes.erase(Home(2) + "/yasmin/peers/1/cid");
  store_.nodes.erase(Home(2) + "/yasmin/peers/1/ip");
  store_.nodes.erase(Home(2) + "/yasmin/peers/1");
  store_.nodes.erase(Home(2) + "/yasmin/rendezvous/1");
  const StatusReport report = Read();

  ASSERT_EQ(3u, report.pairs.size());
  const DomainPair& pair = report.pairs[2];
  EXPECT_EQ(1u, pair.a);
  EXPECT_EQ(2u, pair.b);
  EXPECT_TRUE(pair.a_lists_b);
  EXPECT_FALSE(pair.b_lists_a);
  EXPECT_TRUE(pair.one_sided());
  EXPECT_NE(std::string::npos,
            Table(report).find("  guest-a (1) <-> guest-b (2)  one-sided: only guest-a (1) "
                               "lists guest-b (2)\n"))
      << Table(report);
  EXPECT_EQ(json::parse(R"({"domids": [1, 2], "one_sided": true, "listed_by": [1]})"),
            Json(report)["pairs"][2]);
}

// yasmind has no daemon loop yet: a view may still list a domain that has gone.
TEST_F(StatusReportTest, APeerThatIsGoneIsShownAsAQuestionMark) {
  SetUpTwoGuests();
  for (auto it = store_.nodes.begin(); it != store_.nodes.end();) {
    it = IsAtOrBelow(it->first, Home(2)) ? store_.nodes.erase(it) : std::next(it);
  }
  const std::string table = Table(Read());
  EXPECT_NE(std::string::npos,
            table.find("  guest-a (1) <-> ? (2)  one-sided: only guest-a (1) lists ? (2)\n"))
      << table;
}

TEST_F(StatusReportTest, MissingViewNodesAreProblems) {
  AddDomain(3, "odd");
  store_.Add(Home(3) + "/yasmin", "");
  store_.Add(Home(3) + "/yasmin/peers", "");
  store_.Add(Home(3) + "/yasmin/peers/4", "");
  const StatusReport report = Read();

  ASSERT_EQ(1u, report.domains.size());
  ASSERT_TRUE(report.domains[0].view.has_value());
  EXPECT_FALSE(report.domains[0].view->generation.has_value());
  ASSERT_EQ(1u, report.domains[0].view->peers.size());
  EXPECT_FALSE(report.domains[0].view->peers[0].cid.has_value());
  EXPECT_FALSE(report.domains[0].view->peers[0].addresses.has_value());
  EXPECT_TRUE(HasProblem(report, Home(3) + "/yasmin/generation", "missing"));
  EXPECT_TRUE(HasProblem(report, Home(3) + "/yasmin/peers/4/cid", "missing"));
  EXPECT_TRUE(HasProblem(report, Home(3) + "/yasmin/peers/4/ip", "missing"));
  EXPECT_TRUE(HasProblem(report, Home(3) + "/yasmin/rendezvous", "missing"));
  // '?' where a value should be and is not; '-' where nothing should be.
  EXPECT_NE(std::string::npos, Table(report).find("3     odd  5   ?          4\n"))
      << Table(report);
  EXPECT_NE(std::string::npos, Table(report).find("3     4    ?   -          -\n"))
      << Table(report);
  const json peer = Json(report)["domains"][0]["view"]["peers"][0];
  EXPECT_TRUE(peer["cid"].is_null());
  EXPECT_TRUE(peer["ip"].is_null());
}

// Names and odd values may be anything: control characters, escape sequences, bytes that are
// not UTF-8, numbers that are not numbers.  All of it is reported, none of it is trusted.
TEST_F(StatusReportTest, HostileValuesAreEscapedRejectedAndReported) {
  SetUpTwoGuests();
  store_.nodes[Home(1) + "/name"].value = "evil\n2     fake\x1b[2J\\";
  store_.nodes[Home(2) + "/name"].value = std::string("b\xff\xfe\0z", 5);
  store_.nodes[Home(1) + "/yasmin/generation"].value = "banana";
  store_.nodes[Home(1) + "/yasmin/peers/2/cid"].value = "4\n";
  store_.nodes[Home(1) + "/yasmin/peers/0/cid"].value = "3";  // a CID, but not dom0's
  store_.nodes[Home(1) + "/yasmin/peers/0/ip"].value = "10.0.0.9\t\x1b]0;owned\x07";
  store_.Add(Home(1) + "/yasmin/peers/x1", "");
  store_.Add(Home(1) + "/yasmin/peers/1", "");  // itself
  store_.Add(Home(1) + "/yasmin/peers/1/cid", "3");
  store_.Add(Home(1) + "/yasmin/peers/1/ip", "");
  store_.Add(Home(1) + "/yasmin/rendezvous/007", "");
  store_.Add("/local/domain/99999", "");
  store_.Add("/local/domain/007", "");
  store_.Add("/local/domain/pool", "");  // not a domain: skipped without a word
  const StatusReport report = Read();

  ASSERT_EQ(3u, report.domains.size());  // 99999, 007 and pool are not domains
  const DomainStatus& a = report.domains[1];
  EXPECT_FALSE(a.view->generation.has_value());
  ASSERT_EQ(3u, a.view->peers.size());  // 0, 1 and 2; x1 is no domid
  EXPECT_EQ(3u, a.view->peers[0].cid);  // kept, and reported below
  EXPECT_FALSE(a.view->peers[2].cid.has_value());

  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/generation", "not a generation counter"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/peers/2/cid", "not a valid CID"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/peers/0/cid", "not the CID of domain 0, 2"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/peers/x1", "not a valid domid"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/peers/1", "never reaches itself"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/rendezvous/007", "not a valid domid"));
  EXPECT_TRUE(HasProblem(report, Home(1) + "/yasmin/rendezvous/1", "missing"));
  EXPECT_TRUE(HasProblem(report, "/local/domain/99999", "not a valid domid"));
  EXPECT_TRUE(HasProblem(report, "/local/domain/007", "not a valid domid"));
  for (const DomainPair& pair : report.pairs) EXPECT_NE(pair.a, pair.b);

  const std::string table = Table(report);
  ExpectTerminalSafe(table);
  EXPECT_NE(std::string::npos,
            table.find("1     evil\\x0a2\\x20\\x20\\x20\\x20\\x20fake\\x1b[2J\\\\ 3"))
      << table;
  EXPECT_NE(std::string::npos, table.find("2     b\\xff\\xfe\\x00z")) << table;
  EXPECT_NE(std::string::npos, table.find("10.0.0.9\\x09\\x1b]0;owned\\x07\n")) << table;
  EXPECT_NE(std::string::npos,
            table.find("  /local/domain/1/yasmin/peers/2/cid: not a valid CID: \"4\\x0a\"\n"))
      << table;
  // Each domain is still one line of five fields: the name cannot fake another row.
  EXPECT_NE(std::string::npos, table.find("\n2     b")) << table;
  EXPECT_EQ(std::string::npos, table.find("\n2     fake")) << table;

  const std::string text = FormatStatusJson(report);
  const json document = Json(report);
  EXPECT_EQ("evil\n2     fake\x1b[2J\\", document["domains"][1]["name"]);
  // Not UTF-8: each bad byte becomes U+FFFD; the NUL survives as \u0000.
  EXPECT_EQ(std::string("b\xEF\xBF\xBD\xEF\xBF\xBD\0z", 9), document["domains"][2]["name"]);
  EXPECT_TRUE(document["domains"][1]["view"]["generation"].is_null());
  EXPECT_EQ(std::string::npos, text.find('\x1b'));  // control characters come out as \u001b
  bool found = false;
  for (const json& problem : document["problems"]) {
    if (problem["path"] == Home(1) + "/yasmin/peers/2/cid") {
      EXPECT_EQ("4\n", problem["value"]);
      found = true;
    }
  }
  EXPECT_TRUE(found) << text;
}

TEST_F(StatusReportTest, WithoutLocalDomainThereIsNothingToReport) {
  store_.nodes.erase("/local/domain");
  StatusReport report;
  std::string error;
  EXPECT_FALSE(ReadStatusReport(&store_, &report, &error));
  EXPECT_NE(std::string::npos, error.find("/local/domain")) << error;
}

TEST_F(StatusReportTest, XenStoreFailuresAreErrors) {
  StatusReport report;
  std::string error;
  store_.failing_begin = "cannot start a XenStore transaction: Permission denied";
  EXPECT_FALSE(ReadStatusReport(&store_, &report, &error));
  EXPECT_EQ(store_.failing_begin, error);

  store_.failing_begin.clear();
  SetUpTwoGuests();
  store_.failing_directory = Home(1) + "/yasmin/peers";
  error.clear();
  EXPECT_FALSE(ReadStatusReport(&store_, &report, &error));
  EXPECT_NE(std::string::npos, error.find("cannot list /local/domain/1/yasmin/peers")) << error;
}

}  // namespace
}  // namespace yasmin
