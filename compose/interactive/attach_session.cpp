// The client half of the shim's `attach` op. The pipes end when the container exits (the shim
// closes them after the last output), so the exit code is in the shim's state by the time we
// ask: each request is answered after the shim finished handling that exit.
#include "compose/interactive/attach_session.hpp"

#include <stdexcept>
#include <vector>

#include "common/shim_protocol.hpp"

namespace berth::interactive {

std::optional<int> attach_container(const state::Paths& paths, const std::string& id, const StdioPumpOptions& options) {
  const std::string socket = paths.shim_state_dir(id) + "/control.sock";
  shim_protocol::Client client = shim_protocol::Client::connect(socket);
  shim_protocol::Reply reply = client.call({{"op", "attach"}, {"stdin", options.interactive}});
  if (!reply.ok()) throw std::runtime_error(reply.error());

  UniqueFd in, out, err;
  const auto names = reply.body.value("fds", std::vector<std::string>{});
  for (size_t i = 0; i < names.size() && i < reply.fds.size(); ++i) {
    if (names[i] == "stdin") in = std::move(reply.fds[i]);
    if (names[i] == "stdout") out = std::move(reply.fds[i]);
    if (names[i] == "stderr") err = std::move(reply.fds[i]);
  }
  if (reply.body.value("tty", false)) {
    if (!pump_terminal(in ? in.get() : -1, out.get(), options)) return std::nullopt;
  } else {
    pump_pipes(in, out, err, options);
  }

  shim_protocol::Reply status = client.call({{"op", "status"}});
  if (!status.ok()) throw std::runtime_error(status.error());
  const auto& state = status.body["state"];
  const std::string s = state.value("status", "");
  if (s == "running" || s == "paused") {  // our output was cut short (dropped as too slow)
    shim_protocol::Reply done = client.call({{"op", "wait"}});
    if (!done.ok()) throw std::runtime_error(done.error());
    return done.body.value("exit_code", 1);
  }
  return state.value("exit_code", 1);
}

}  // namespace berth::interactive
