#include "engine/isolation.hpp"

#include "config/scenario_error.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

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

} // namespace

nlohmann::json run_isolated(const std::function<nlohmann::json()>& work)
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
  const std::string data = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (data.empty())
    throw IsolatedRunError("simulation process died (status " + std::to_string(status) + ")", false);
  const nlohmann::json reply = nlohmann::json::parse(data);
  if (!reply.at("ok").get<bool>())
    throw IsolatedRunError(reply.at("error").get<std::string>(), reply.at("invalid_input").get<bool>());
  return reply.at("value");
}

} // namespace dcsim
