#include "engine/isolation.hpp"

#include "config/scenario_error.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <algorithm>

namespace dcsim {

namespace {

void write_all(int fd, const std::string& data)
{
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

std::string read_all(int fd)
{
  std::string data;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

/// A forked child running one piece of work; its reply comes through `fd`.
struct Child {
  pid_t pid = -1;
  int fd = -1;
};

Child start_child(const std::function<nlohmann::json()>& work)
{
  // Unflushed output would be written twice, once by the child.
  std::fflush(nullptr);
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    nlohmann::json reply;
    try {
      reply = {{"ok", true}, {"value", work()}};
    } catch (const ScenarioError& e) {
      reply = {{"ok", false}, {"invalid_input", true}, {"error", e.what()}};
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"invalid_input", false}, {"error", e.what()}};
    }
    write_all(fds[1], reply.dump());
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

/// Reads the child's whole reply, then reaps it.
IsolatedOutcome finish_child(const Child& child)
{
  const std::string data = read_all(child.fd);
  ::close(child.fd);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  IsolatedOutcome out;
  if (data.empty()) {
    out.error = "simulation process died (status " + std::to_string(status) + ")";
    return out;
  }
  const nlohmann::json reply = nlohmann::json::parse(data);
  out.ok = reply.at("ok").get<bool>();
  if (out.ok) {
    out.value = reply.at("value");
  } else {
    out.error = reply.at("error").get<std::string>();
    out.invalid_input = reply.at("invalid_input").get<bool>();
  }
  return out;
}

} // namespace

nlohmann::json run_isolated(const std::function<nlohmann::json()>& work)
{
  IsolatedOutcome outcome = finish_child(start_child(work));
  if (!outcome.ok)
    throw IsolatedRunError(outcome.error, outcome.invalid_input);
  return std::move(outcome.value);
}

std::vector<IsolatedOutcome> run_isolated_all(const std::vector<std::function<nlohmann::json()>>& works, int workers)
{
  std::vector<IsolatedOutcome> out(works.size());
  std::vector<std::pair<size_t, Child>> running;
  size_t next = 0;
  while (next < works.size() || !running.empty()) {
    while (next < works.size() && static_cast<int>(running.size()) < std::max(1, workers)) {
      running.emplace_back(next, start_child(works[next]));
      ++next;
    }
    // Wait until some child's pipe has data or is closed, and drain that child to the end: a
    // child blocks on a full pipe, so replies are read as they come, not after the child exits.
    std::vector<pollfd> fds;
    for (const auto& [index, child] : running)
      fds.push_back({child.fd, POLLIN, 0});
    while (::poll(fds.data(), fds.size(), -1) < 0 && errno == EINTR) {
    }
    for (size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0)
        continue;
      out[running[i].first] = finish_child(running[i].second);
      running.erase(running.begin() + static_cast<long>(i));
    }
  }
  return out;
}

} // namespace dcsim
