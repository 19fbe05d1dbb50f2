// RUN steps' network (see build_network.hpp).
#include "compose/build/build_network.hpp"

#include "common/scope_exit.hpp"
#include "compose/network/manager.hpp"
#include "compose/network/netns.hpp"

namespace berth::build {

BuildNetwork::BuildNetwork(std::string root, std::string run) : m_root(std::move(root)), m_run(std::move(run)) {}

BuildNetwork::Attachment::Attachment(const BuildNetwork& net, std::string step_id)
    : m_root(net.m_root), m_run(net.m_run), m_step_id(std::move(step_id)), m_netns(m_run + "/netns/" + m_step_id) {
  network::NetworkManager manager(net.m_root, net.m_run);
  network::NetworkConfig config;
  config.name = kName;
  config.labels = {{"org.berth.purpose", "build"}};
  m_network_id = manager.ensure_network(config).id;
  network::create_netns(m_netns);
  ScopeExit undo([&] { network::remove_netns(m_netns); });
  network::AttachRequest req;
  req.container_id = m_step_id;
  req.network_id = m_network_id;
  req.netns_path = m_netns;
  manager.attach(req);
  undo.dismiss();
}

BuildNetwork::Attachment::~Attachment() {
  try {
    BuildNetwork(m_root, m_run).release(m_step_id);
  } catch (...) {  // the next build's sweep (or `builder prune`) tries again
  }
}

void BuildNetwork::release(const std::string& step_id) const {
  std::exception_ptr error;
  try {
    network::NetworkManager manager(m_root, m_run);
    if (auto state = manager.find_by_name(kName)) manager.detach(step_id, state->id, true);
  } catch (...) {
    error = std::current_exception();
  }
  // Even when the detach failed: the namespace's end of the veth goes with it.
  const std::string netns = m_run + "/netns/" + step_id;
  if (network::netns_exists(netns)) network::remove_netns(netns);
  if (error) std::rethrow_exception(error);
}

std::unique_ptr<BuildNetwork::Attachment> BuildNetwork::attach(const std::string& step_id) const {
  return std::make_unique<Attachment>(*this, step_id);
}

bool BuildNetwork::remove() const {
  network::NetworkManager manager(m_root, m_run);
  auto state = manager.find_by_name(kName);
  if (!state) return false;
  manager.remove_network(state->id);
  return true;
}

}  // namespace berth::build
