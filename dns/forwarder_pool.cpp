// One c-ares channel per distinct upstream set (see forwarder_pool.hpp). Channels are few (one
// per distinct `dns:` list in the project) and made only on reload, so a query costs one map
// lookup by the set's content.
#include "dns/forwarder_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace berth::dns {

namespace {

std::string describe(const Records::UpstreamSet& set) {
  std::string out;
  for (const auto& s : set) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

ForwarderPool::ForwarderPool(boost::asio::io_context& io, ForwarderOptions defaults)
    : m_io(io), m_options(std::move(defaults)), m_default(std::make_unique<Forwarder>(io, m_options)) {}

bool ForwarderPool::sync(const Records& records) {
  const std::vector<Records::UpstreamSet>& wanted = records.upstream_sets();
  for (auto it = m_own.begin(); it != m_own.end();) {
    if (std::find(wanted.begin(), wanted.end(), it->first) != wanted.end()) {
      ++it;
      continue;
    }
    spdlog::info("dropping upstream channel {} ({} queries outstanding)", describe(it->first), it->second->in_flight());
    it = m_own.erase(it);  // ~Forwarder fails what is outstanding
  }
  bool ok = true;
  for (const auto& set : wanted) {
    if (m_own.count(set)) continue;
    ForwarderOptions options = m_options;
    options.servers = set;
    try {
      m_own.emplace(set, std::make_unique<Forwarder>(m_io, options));
      spdlog::info("upstream channel {} for containers with their own dns servers", describe(set));
    } catch (const std::exception& e) {
      spdlog::error("upstream channel {}: {} (its clients get SERVFAIL)", describe(set), e.what());
      ok = false;
    }
  }
  return ok;
}

Forwarder* ForwarderPool::for_client(const Records& records, const IpAddress& client) {
  const Records::UpstreamSet* set = records.upstreams_for(client);
  if (!set) return m_default.get();
  auto it = m_own.find(*set);
  return it == m_own.end() ? nullptr : it->second.get();
}

std::vector<Records::UpstreamSet> ForwarderPool::channels() const {
  std::vector<Records::UpstreamSet> out;
  for (const auto& [set, forwarder] : m_own) out.push_back(set);
  return out;
}

}  // namespace berth::dns
