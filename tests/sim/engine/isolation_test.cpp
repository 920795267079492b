// Running simulations in forked children (engine/isolation.cpp): several at a time, outcomes in
// the order asked, a child's invalid input and a child's death told apart.
#include "engine/isolation.hpp"

#include "config/scenario_error.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

TEST_CASE("isolation: run_isolated_all returns every child's value in order, its errors marked")
{
  std::vector<std::function<nlohmann::json()>> works;
  for (int i = 0; i < 7; ++i)
    works.push_back([i] {
      ::usleep(static_cast<useconds_t>((7 - i) * 5000)); // later ones finish first
      return nlohmann::json{{"i", i}, {"pid", ::getpid()}, {"big", std::string(200000, 'x')}};
    });
  works.push_back([]() -> nlohmann::json {
    dcsim::SourceLocation where;
    where.file = "--x";
    dcsim::Diagnostics d;
    d.add(where, "", "bad input");
    d.throw_if_any();
    return {};
  });
  works.push_back([]() -> nlohmann::json { throw std::runtime_error("a bug"); });
  works.push_back([]() -> nlohmann::json { ::_exit(3); }); // dies without a reply
  const auto outcomes = dcsim::run_isolated_all(works, 3);
  REQUIRE(outcomes.size() == works.size());
  for (int i = 0; i < 7; ++i) {
    REQUIRE(outcomes[i].ok);
    CHECK(outcomes[i].value["i"] == i);
    CHECK(outcomes[i].value["pid"] != ::getpid());
    CHECK(outcomes[i].value["big"].get<std::string>().size() == 200000); // more than a pipe holds
  }
  CHECK_FALSE(outcomes[7].ok);
  CHECK(outcomes[7].invalid_input);
  CHECK(outcomes[7].error == "--x: bad input");
  CHECK_FALSE(outcomes[8].ok);
  CHECK_FALSE(outcomes[8].invalid_input);
  CHECK(outcomes[8].error == "a bug");
  CHECK_FALSE(outcomes[9].ok);
  CHECK(outcomes[9].error.find("simulation process died") != std::string::npos);
}
