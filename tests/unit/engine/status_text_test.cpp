// ps/ls texts (docker's wording) and the progress writers' plain and json formats.
#include <gtest/gtest.h>

#include <sstream>

#include "compose/engine/status_text.hpp"
#include "compose/progress/progress.hpp"

using namespace berth::engine;
using namespace berth::plan;
using namespace berth::progress;
using namespace berth::project;
using namespace berth::runtime;
using namespace berth::state;

TEST(EngineStatusText, StatusColumn) {
  double started = 1704164645.5;  // 2024-01-02T03:04:05.5Z
  EXPECT_EQ(status_text({"running", 0, ""}, "2024-01-02T03:04:05.5Z", "", started + 2), "Up 2 seconds");
  EXPECT_EQ(status_text({"running", 0, "healthy"}, "2024-01-02T03:04:05.5Z", "", started + 2),
            "Up 2 seconds (healthy)");
  EXPECT_EQ(status_text({"running", 0, "starting"}, "2024-01-02T03:04:05.5Z", "", started + 2),
            "Up 2 seconds (health: starting)");
  EXPECT_EQ(status_text({"paused", 0, ""}, "2024-01-02T03:04:05.5Z", "", started + 1), "Up 1 second (Paused)");
  EXPECT_EQ(status_text({"exited", 3, ""}, "", "2024-01-02T03:04:05.5Z", started + 3), "Exited (3) 3 seconds ago");
  // Go's HumanDuration rounds hours: docker says "Up 2 hours" at 100 minutes (ps said "Up 1 hour").
  EXPECT_EQ(status_text({"running", 0, ""}, "2024-01-02T03:04:05.5Z", "", started + 100 * 60), "Up 2 hours");
  EXPECT_EQ(status_text({"created", 0, ""}, "", "", started), "Created");
  EXPECT_EQ(status_text({"dead", 0, ""}, "", "", started), "Dead");
}

TEST(EngineProgress, PlainAndJsonLines) {
  std::ostringstream plain;
  {
    Progress p(ProgressMode::Plain, plain);
    p.event("Container", "app-web-1", "Started");
    p.event("Volume", "app_data", "Created");
  }
  EXPECT_EQ(plain.str(), " Container app-web-1 Started \n Volume app_data Created \n");
  std::ostringstream json;
  {
    Progress p(ProgressMode::Json, json);
    p.event("Network", "app_default", "Created");
  }
  EXPECT_EQ(json.str(), "{\"id\":\"Network app_default\",\"status\":\"Created\"}\n");
  std::ostringstream quiet;
  {
    Progress p(ProgressMode::Quiet, quiet);
    p.event("Network", "app_default", "Created");
    p.warning("x");
  }
  EXPECT_EQ(quiet.str(), "");
}

TEST(EngineProgress, TtyRedrawsOneLinePerResource) {
  std::ostringstream tty;
  {
    Progress p(ProgressMode::Tty, tty);
    p.event("Container", "a-1", "Starting");
    p.event("Container", "a-1", "Started");
  }
  const std::string out = tty.str();
  EXPECT_NE(out.find("[+] Running 1/1"), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[2F"), std::string::npos) << out;  // cursor back over the 2-line block
}
