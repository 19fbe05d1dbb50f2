// gocompat::sha256_hex against FIPS 180-2's test vectors and image::sha256_of, the streaming digest
// of the image store, so names derived from either agree.
#include <gtest/gtest.h>

#include "compose/gocompat/sha256.hpp"
#include "compose/image/digest.hpp"

using berth::gocompat::sha256_hex;

TEST(GoFmtSha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(GoFmtSha256, BinaryInputAndImageDigestAgree) {
  std::string data("a\0b", 3);
  EXPECT_EQ(sha256_hex(data), berth::image::sha256_of(data).hex());
  EXPECT_NE(sha256_hex(data), sha256_hex("a"));
}
