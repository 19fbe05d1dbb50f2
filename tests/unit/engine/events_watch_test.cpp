// events_watch: the query's filters, the replay window and its end at --until, the output forms.
#include "compose/engine/events_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/temp_dir.hpp"

namespace {

using berth::engine::ContainerEvent;
using berth::engine::EventsQuery;

ContainerEvent watch_event(int64_t t, const std::string& service, const std::string& action, bool oneoff = false) {
  ContainerEvent e;
  e.time_ns = t;
  e.action = action;
  e.id = "abc";
  e.service = service;
  e.oneoff = oneoff;
  e.attributes = {{"name", "p-" + service + "-1"}, {"image", "busybox"}};
  return e;
}

}  // namespace

TEST(EventsWatch, SelectsByServiceWindowAndSkipsOneOffs) {
  EventsQuery q;
  EXPECT_TRUE(berth::engine::event_selected(watch_event(5, "web", "start"), q));
  EXPECT_FALSE(berth::engine::event_selected(watch_event(5, "web", "start", true), q));
  q.services = {"db"};
  EXPECT_FALSE(berth::engine::event_selected(watch_event(5, "web", "start"), q));
  EXPECT_TRUE(berth::engine::event_selected(watch_event(5, "db", "start"), q));
  q.since_ns = 5;
  q.until_ns = 7;
  EXPECT_TRUE(berth::engine::event_selected(watch_event(7, "db", "die"), q));
  EXPECT_FALSE(berth::engine::event_selected(watch_event(4, "db", "die"), q));
  EXPECT_FALSE(berth::engine::event_selected(watch_event(8, "db", "die"), q));
}

TEST(EventsWatch, ReplaysTheWindowAndEndsAtAPastUntil) {
  berth::test::TempDir dir;
  const std::string path = dir / "events.log";
  const int64_t now = berth::journal::now_ns();
  for (int64_t i = 0; i < 10; ++i)
    berth::journal::append(path, watch_event(now - 10'000'000'000 + i * 1'000'000'000, i % 2 ? "web" : "db", "start"));
  EventsQuery q;
  q.since_ns = now - 8'000'000'000;
  q.until_ns = now - 3'000'000'000;
  q.services = {"web"};
  std::vector<int64_t> got;
  std::atomic<bool> stop{false};
  EXPECT_TRUE(berth::engine::stream_events(
      path, q, [&](const ContainerEvent& e) { got.push_back(e.time_ns); }, stop));
  EXPECT_EQ(got, (std::vector<int64_t>{now - 7'000'000'000, now - 5'000'000'000, now - 3'000'000'000}));
}

TEST(EventsWatch, WithoutAWindowOnlyNewEventsAreDelivered) {
  berth::test::TempDir dir;
  const std::string path = dir / "events.log";
  berth::journal::append(path, watch_event(1, "web", "create"));  // before the stream: not shown
  EventsQuery q;
  std::vector<std::string> got;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    berth::journal::append(path, watch_event(berth::journal::now_ns(), "web", "start"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    stop = true;  // Ctrl+C
  });
  EXPECT_FALSE(berth::engine::stream_events(
      path, q, [&](const ContainerEvent& e) { got.push_back(e.action); }, stop));
  writer.join();
  EXPECT_EQ(got, std::vector<std::string>{"start"});
}

TEST(EventsWatch, DockerComposeOutputForms) {
  ContainerEvent e = watch_event(1'704'164'645'123'456'789, "web", "die");
  e.attributes["exitCode"] = "3";
  EXPECT_EQ(berth::engine::format_event_json(e),
            R"({"action":"die","attributes":{"exitCode":"3","image":"busybox","name":"p-web-1"},"id":"abc",)"
            R"("service":"web","time":"2024-01-02T03:04:05.123456789Z","type":"container"})");
  const std::string text = berth::engine::format_event_text(e);
  EXPECT_EQ(text.substr(text.find(".123456 ")), ".123456 container die abc (exitCode=3, image=busybox, name=p-web-1)");
}
