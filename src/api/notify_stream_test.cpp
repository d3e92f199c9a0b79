// The audience filter of live notifications: who sees which journal record.
#include "api/notify_stream.hpp"

#include <gtest/gtest.h>

namespace zhidu::api {
namespace {

store::JournalRecord Record(std::string kind, std::string payload, std::string subject = "x/1") {
  store::JournalRecord r;
  r.seq = 7;
  r.kind = std::move(kind);
  r.subject = std::move(subject);
  r.payload = std::move(payload);
  return r;
}

org::Principal Who(store::Id account, store::Id person, std::vector<store::RoleGrant> roles) {
  org::Principal p;
  p.account_id = account;
  p.person_id = person;
  p.roles = std::move(roles);
  return p;
}

class AudienceTest : public ::testing::Test {
 protected:
  AudienceTest() {
    roles_.Define("auditor", {"journal.read"});
    roles_.Define("site_auditor", {"journal.read"});
    roles_.Define("shift_lead", {"duty.write"});
    roles_.Define("guard", {});
  }
  org::RoleCatalogue roles_;
  org::Principal admin_ = Who(1, 0, {{0, 1, "admin", "global", 0}});
  org::Principal auditor_ = Who(2, 0, {{0, 2, "auditor", "global", 0}});
  org::Principal plain_ = Who(3, 30, {{0, 3, "guard", "site", 5}});
  org::Principal lead_site5_ = Who(4, 40, {{0, 4, "shift_lead", "site", 5}});
  org::Principal lead_global_ = Who(5, 50, {{0, 5, "shift_lead", "global", 0}});
  org::Principal auditor_site5_ = Who(6, 0, {{0, 6, "site_auditor", "site", 5}});
};

TEST_F(AudienceTest, JournalReadSeesEverything) {
  auto r = Record("org.site.created", R"({"name":"A"})");
  EXPECT_TRUE(VisibleTo(r, admin_, roles_));
  EXPECT_TRUE(VisibleTo(r, auditor_, roles_));
  EXPECT_FALSE(VisibleTo(r, plain_, roles_));
  EXPECT_TRUE(VisibleTo(Record("auth.login.failed", "{}", "account/bob"), auditor_, roles_));
  EXPECT_TRUE(VisibleTo(Record("x", "not json"), admin_, roles_));
  EXPECT_FALSE(VisibleTo(Record("x", "not json"), plain_, roles_));
}

TEST_F(AudienceTest, SiteScopedJournalReadCoversOnlyItsSite) {
  EXPECT_TRUE(VisibleTo(Record("duty.late", R"({"site_id":5})"), auditor_site5_, roles_));
  EXPECT_FALSE(VisibleTo(Record("duty.late", R"({"site_id":6})"), auditor_site5_, roles_));
  EXPECT_FALSE(VisibleTo(Record("duty.late", R"({})"), auditor_site5_, roles_));
}

TEST_F(AudienceTest, PayloadNamingThePrincipal) {
  EXPECT_TRUE(VisibleTo(Record("reminder.fired", R"({"account_id":3})"), plain_, roles_));
  EXPECT_FALSE(VisibleTo(Record("reminder.fired", R"({"account_id":4})"), plain_, roles_));
  EXPECT_TRUE(VisibleTo(Record("duty.due", R"({"person_id":30})"), plain_, roles_));
  EXPECT_FALSE(VisibleTo(Record("duty.due", R"({"person_id":31})"), plain_, roles_));
  // person_id 0 never matches an account without a person.
  EXPECT_FALSE(VisibleTo(Record("duty.due", R"({"person_id":0})"), auditor_site5_, roles_));
  EXPECT_FALSE(VisibleTo(Record("duty.due", R"({"account_id":"3"})"), plain_, roles_));
  // The other people concerned (a handover's outgoing and incoming): notify_people.
  EXPECT_TRUE(VisibleTo(Record("handover.signed", R"({"notify_people":[29,30],"person_id":29})"),
                        plain_, roles_));
  EXPECT_FALSE(
      VisibleTo(Record("handover.signed", R"({"notify_people":[28,"30"]})"), plain_, roles_));
  EXPECT_FALSE(
      VisibleTo(Record("handover.signed", R"({"notify_people":[0]})"), auditor_site5_, roles_));
}

TEST_F(AudienceTest, NotifyRolesInACoveringScope) {
  auto at5 = Record("violation.opened", R"({"notify_roles":["shift_lead"],"site_id":5})");
  auto at6 = Record("violation.opened", R"({"notify_roles":["shift_lead"],"site_id":6})");
  auto nosite = Record("violation.opened", R"({"notify_roles":["shift_lead"]})");
  EXPECT_TRUE(VisibleTo(at5, lead_site5_, roles_));
  EXPECT_FALSE(VisibleTo(at6, lead_site5_, roles_));
  EXPECT_FALSE(VisibleTo(nosite, lead_site5_, roles_));
  EXPECT_TRUE(VisibleTo(at6, lead_global_, roles_));
  EXPECT_TRUE(VisibleTo(nosite, lead_global_, roles_));
  EXPECT_FALSE(VisibleTo(at5, plain_, roles_));  // holds another role at that site
  auto other = Record("violation.opened", R"({"notify_roles":["guard","x"],"site_id":5})");
  EXPECT_TRUE(VisibleTo(other, plain_, roles_));
}

TEST_F(AudienceTest, AuthEventsOnlyForTheirOwnAccount) {
  EXPECT_TRUE(VisibleTo(Record("auth.login.succeeded", "{}", "account/3"), plain_, roles_));
  EXPECT_FALSE(VisibleTo(Record("auth.login.succeeded", "{}", "account/4"), plain_, roles_));
  EXPECT_FALSE(VisibleTo(Record("auth.login.succeeded", "{}", "account/33"), plain_, roles_));
  // Naming the person or a role does not open auth records.
  EXPECT_FALSE(VisibleTo(Record("auth.token.created", R"({"person_id":30})", "api_token/1"), plain_,
                         roles_));
  EXPECT_FALSE(VisibleTo(
      Record("auth.account.created", R"({"notify_roles":["guard"],"site_id":5})"), plain_, roles_));
  EXPECT_TRUE(VisibleTo(Record("auth.token.created", R"({"account_id":3})", "api_token/1"), plain_,
                        roles_));
}

TEST_F(AudienceTest, NobodyWithoutAnAccount) {
  EXPECT_FALSE(
      VisibleTo(Record("reminder.fired", R"({"account_id":0})"), org::Principal{}, roles_));
}

TEST(EventJsonTest, RendersTheMessageShape) {
  auto r = Record("org.site.created", R"({"name":"厂区"})", "site/1");
  auto text = EventJson(r);
  EXPECT_NE(text.find(R"("id":7)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("kind":"org.site.created")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("payload":{"name":"厂区"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("subject":"site/1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("at":")"), std::string::npos) << text;
}

}  // namespace
}  // namespace zhidu::api
