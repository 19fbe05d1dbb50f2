#pragma once
// The network of RUN steps, as `docker build`'s default: each step gets its own network
// namespace on a bridge, `berth-build`, with NAT to the outside (the network manager's
// masquerade), like docker's default bridge. The bridge stays between builds (one per root,
// made on first use); `berth builder prune` removes it. A step's namespace, veth pair and
// address lease go when its attachment does.
#include <memory>
#include <string>

namespace berth::build {

class BuildNetwork {
 public:
  BuildNetwork(std::string root, std::string run);

  /// A step's place on the network; detached and removed when it goes.
  class Attachment {
   public:
    Attachment(const BuildNetwork& net, std::string step_id);
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;
    ~Attachment();
    const std::string& netns() const noexcept { return m_netns; }

   private:
    std::string m_root, m_run;  ///< copies: the attachment may outlive the BuildNetwork that made it
    std::string m_step_id;
    std::string m_network_id;
    std::string m_netns;
  };

  /// Attaches a new network namespace for step `step_id` (64 hex) to the build network, making
  /// the network first when needed.
  std::unique_ptr<Attachment> attach(const std::string& step_id) const;

  /// Detaches step `step_id` (its veth, lease and namespace), if it is attached; what an
  /// Attachment does when it goes, and the sweep after a crash.
  void release(const std::string& step_id) const;

  /// Removes the build network (its bridge, rules and registry file); false when there was none.
  bool remove() const;

  static constexpr const char* kName = "berth-build";

 private:
  std::string m_root;
  std::string m_run;
};

}  // namespace berth::build
