// ProcessGroupGloo.hpp declares its class only with USE_C10D_GLOO, as PyTorch's build defines it.
#define USE_C10D_GLOO 1
#include "train/process_group.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "core/error.h"

namespace cola::train {
namespace {

// The address of this host's interface that reaches `host`, as text: what Gloo must bind to so the
// other ranks can connect. Gloo's own default (the address of `hostname`) is often a loopback or
// an address of another network namespace, which other hosts cannot reach.
std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    throw Error(fmt::format("MASTER_ADDR={}: cannot resolve it", host));
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in local{};
  socklen_t len = sizeof local;
  // A UDP connect sends nothing: it only asks the kernel which route, so which address, it takes.
  const bool ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0;
  freeaddrinfo(found);
  if (fd >= 0) close(fd);
  if (!ok) throw Error(fmt::format("MASTER_ADDR={}: no route to it from this host", host));
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &local.sin_addr, text, sizeof text);
  return text;
}

std::shared_ptr<::gloo::transport::Device> gloo_device(const dist::World& world) {
  // GLOO_SOCKET_IFNAME is PyTorch's way to pick the interface; honour it the same way.
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname != nullptr && *ifname) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  return c10d::ProcessGroupGloo::createDeviceForHostname(
      local_address_towards(world.master_addr, world.master_port));
}

c10::intrusive_ptr<c10d::Store> open_store(const dist::World& world,
                                           std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(world.master_port);
  // As torch.distributed's env:// rendezvous: under torchrun's agent store every rank is a client
  // of the agent's store, in the restart's prefix; otherwise rank 0 hosts it.
  options.isServer = !world.agent_store && world.rank == 0;
  options.numWorkers = world.world_size;
  // Every rank, as torch.distributed's TCPStore(wait_for_workers=True): each counts itself in, and
  // only the server waits for the count. A rank that does not count itself leaves the server
  // waiting out the whole time-out before the job can start.
  options.waitWorkers = true;
  options.timeout = timeout;
  options.multiTenant = true;
  const auto start = std::chrono::steady_clock::now();
  auto tcp = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
  // LibTorch 1.13's server waits for the ranks to count themselves in, and at the time-out stops
  // waiting without a word (TCPStore::waitForWorkers); its count is not readable through the
  // public API, which prefixes keys. The wait ends early only when every rank is in, so a wait
  // as long as the time-out means one is missing: say so here, where it is the cause, rather
  // than as Gloo's time-out later.
  if (options.isServer && std::chrono::steady_clock::now() - start >= timeout) {
    throw Error(fmt::format("not every rank joined within training.dist_timeout_s ({} s)",
                            static_cast<double>(timeout.count()) / 1000.0));
  }
  c10::intrusive_ptr<c10d::Store> store = tcp;
  if (!world.store_prefix.empty()) {
    store = c10::make_intrusive<c10d::PrefixStore>(world.store_prefix, store);
  }
  return c10::make_intrusive<c10d::PrefixStore>("cola", store);
}

}  // namespace

void throw_lost_contact(int rank, const std::string& what, const std::exception& e) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  throw Error(
      fmt::format("rank {}: {}: lost contact with the other ranks ({}); another rank "
                  "probably stopped: see its error",
                  rank, what, c10 != nullptr ? c10->what_without_backtrace() : e.what()));
}

struct PendingReduce::Impl {
  c10::intrusive_ptr<c10d::Work> work;
  std::vector<torch::Tensor> tensors;
  bool sparse = false;
  int rank = 0;
};

PendingReduce::PendingReduce(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::vector<torch::Tensor> PendingReduce::wait() {
  try {
    impl_->work->wait();
    return impl_->sparse ? impl_->work->result() : impl_->tensors;
  } catch (const std::exception& e) {
    throw_lost_contact(impl_->rank, "all-reduce", e);
  }
}

struct ProcessGroup::State {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

ProcessGroup::ProcessGroup(const dist::World& world, std::chrono::milliseconds timeout)
    : state_(std::make_unique<State>()), rank_(world.rank), size_(world.world_size) {
  const auto where = fmt::format("{}:{}", world.master_addr, world.master_port);
  try {
    state_->store = open_store(world, timeout);
  } catch (const std::exception& e) {
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    throw Error(fmt::format("rank {}: joining the job's store at {} ({} ranks, from {}): {}",
                            world.rank, where, world.world_size, world.source,
                            c10 != nullptr ? c10->what_without_backtrace() : e.what()));
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(world));
    options->threads = 2;  // Gloo's worker threads run the collectives while the caller waits
    state_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(state_->store, rank_, size_, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_lost_contact(rank_, fmt::format("connecting to the other ranks (store at {})", where), e);
  }
}

ProcessGroup::~ProcessGroup() = default;

PendingReduce ProcessGroup::all_reduce(std::vector<torch::Tensor> tensors) {
  auto impl = std::make_shared<PendingReduce::Impl>();
  impl->sparse = tensors.size() == 1 && tensors[0].is_sparse();
  impl->rank = rank_;
  try {
    impl->work = state_->group->allreduce(tensors);
  } catch (const std::exception& e) {
    throw_lost_contact(rank_, "all-reduce", e);
  }
  impl->tensors = std::move(tensors);
  return PendingReduce(std::move(impl));
}

void ProcessGroup::set(const std::string& key, const std::string& value) {
  try {
    state_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
  } catch (const std::exception& e) {
    throw_lost_contact(rank_, fmt::format("store key '{}'", key), e);
  }
}

std::string ProcessGroup::get(const std::string& key) {
  try {
    const auto bytes = state_->store->get(key);
    return {bytes.begin(), bytes.end()};
  } catch (const std::exception& e) {
    throw_lost_contact(rank_, fmt::format("store key '{}'", key), e);
  }
}

}  // namespace cola::train
