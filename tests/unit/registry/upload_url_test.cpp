// compose/registry/upload_url: the Location of an upload answer made absolute, `digest=` added
// to a URL that may already have a query, and the Range of a chunk answer.
#include "compose/registry/upload_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace berth::registry;

namespace {
const std::string kPost = "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/";
}

TEST(UploadLocation, AbsoluteIsKept) {
  EXPECT_EQ(resolve_location(kPost, "https://cdn.example.com/up/abc?sig=1"), "https://cdn.example.com/up/abc?sig=1");
  EXPECT_EQ(resolve_location(kPost, "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/u1?_state=x"),
            "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/u1?_state=x");
}

TEST(UploadLocation, AbsolutePathTakesTheRequestsOrigin) {
  EXPECT_EQ(resolve_location(kPost, "/v2/test/bb/blobs/uploads/u1?_state=a%2Fb"),
            "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/u1?_state=a%2Fb");
  // A query string holding "://" does not make a path absolute.
  EXPECT_EQ(resolve_location(kPost, "/up/u1?next=http://x/y"), "http://127.0.0.1:5000/up/u1?next=http://x/y");
}

TEST(UploadLocation, SchemeRelativeTakesTheRequestsScheme) {
  EXPECT_EQ(resolve_location("https://reg.example.com/v2/a/blobs/uploads/", "//store.example.com/u/1"),
            "https://store.example.com/u/1");
}

TEST(UploadLocation, RelativeIsMergedWithTheRequestPath) {
  EXPECT_EQ(resolve_location(kPost, "u1?_state=x"), "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/u1?_state=x");
  EXPECT_EQ(resolve_location("http://h/v2/a/blobs/uploads/u1?_state=old", "u2"), "http://h/v2/a/blobs/uploads/u2");
  EXPECT_EQ(resolve_location(kPost, "../other/u1"), "http://127.0.0.1:5000/v2/test/bb/blobs/other/u1");
  EXPECT_EQ(resolve_location(kPost, "./u1"), "http://127.0.0.1:5000/v2/test/bb/blobs/uploads/u1");
  EXPECT_EQ(resolve_location("http://h/v2/a/u1?x=1", "?x=2"), "http://h/v2/a/u1?x=2");
  EXPECT_EQ(resolve_location("http://h", "u1"), "http://h/u1");
}

TEST(UploadLocation, EmptyIsAnError) { EXPECT_THROW(resolve_location(kPost, ""), std::runtime_error); }

TEST(UploadQuery, DigestIsAddedWithTheRightSeparator) {
  const std::string d = "digest=sha256:abc";
  EXPECT_EQ(add_query("http://h/up/u1", d), "http://h/up/u1?digest=sha256:abc");
  EXPECT_EQ(add_query("http://h/up/u1?_state=x", d), "http://h/up/u1?_state=x&digest=sha256:abc");
  EXPECT_EQ(add_query("http://h/up/u1?", d), "http://h/up/u1?digest=sha256:abc");
  EXPECT_EQ(add_query("http://h/up/u1?a=1&", d), "http://h/up/u1?a=1&digest=sha256:abc");
  EXPECT_EQ(add_query("http://h/up/u1?a=1#frag", d), "http://h/up/u1?a=1&digest=sha256:abc#frag");
}

TEST(UploadRange, EndOfTheBytesHeld) {
  EXPECT_EQ(upload_range_end("0-1023"), 1023);
  EXPECT_EQ(upload_range_end("bytes=0-0"), 0);
  EXPECT_EQ(upload_range_end(""), -1);
  EXPECT_EQ(upload_range_end("5-10"), -1);
  EXPECT_EQ(upload_range_end("0-"), -1);
  EXPECT_EQ(upload_range_end("0-12x"), -1);
}
