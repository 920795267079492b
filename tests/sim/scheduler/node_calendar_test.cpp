// The booking calendar conservative backfilling plans with: loads, fits and earliest starts
// worked by hand on one 8-GPU node.
#include "scheduler/node_calendar.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace dcsim;

TEST_CASE("node calendar: a node's load over time, and where a job of g GPUs for d seconds fits first", "[scheduler]")
{
  NodeCalendar c(2, 8, 0.0);
  c.book(0, 4, 0, 100);   // a running job: 4 GPUs until 100 s
  c.book(0, 6, 100, 200); // a reservation: 6 GPUs over [100, 200)
  c.book(0, 2, 150, 400); // and 2 over [150, 400)
  // Load on node 0: 4 on [0, 100), 6 on [100, 150), 8 on [150, 200), 2 on [200, 400), 0 after.
  CHECK(c.fits(0, 4, 0, 100));
  CHECK_FALSE(c.fits(0, 5, 0, 1));
  CHECK(c.fits(0, 2, 0, 150));
  CHECK_FALSE(c.fits(0, 1, 140, 160));
  CHECK(c.fits(0, 6, 200, 1e9));
  CHECK(c.earliest(0, 4, 0, 100) == 0);      // fits before the reservation
  CHECK(c.earliest(0, 4, 0, 101) == 200);    // would overlap [100, 200): after it
  CHECK(c.earliest(0, 7, 0, 10) == 400);     // 7 GPUs only once everything has ended
  CHECK(c.earliest(0, 2, 10, 200) == 200);   // [150, 200) is full
  CHECK(c.earliest(0, 9, 0, 1) == INFINITY); // more than a node
  CHECK(c.earliest(0, 7, 0, 10, 300) == INFINITY); // none before 300 s
  CHECK(c.earliest(1, 8, 0, INFINITY) == 0); // node 1 is empty for good
  // The first moment g GPUs are free at all, for any time: a lower bound of every earliest().
  CHECK(c.first_room(0, 2) == 0);
  CHECK(c.first_room(0, 4) == 0);
  CHECK(c.first_room(0, 5) == 200); // [100, 200) leaves 2 and 0
  CHECK(c.first_room(0, 6) == 200);
  CHECK(c.first_room(0, 7) == 400);
  CHECK(c.first_room(0, 9) == INFINITY);
  CHECK(c.first_room(1, 8) == 0);
  // A booking without an end (a job of unknown length) leaves no later room.
  c.book(1, 3, 50, INFINITY);
  CHECK(c.first_room(1, 6) == 0); // a booking forgets what was known of the node
  CHECK(c.first_room(1, 5) == 0);
  c.book(1, 2, 0, 50);
  CHECK(c.first_room(1, 6) == 0);
  CHECK(c.first_room(1, 7) == INFINITY);
  CHECK(c.earliest(1, 5, 0, INFINITY) == 0);
  CHECK(c.earliest(1, 6, 0, 50) == 0);
  CHECK(c.earliest(1, 6, 0, 51) == INFINITY);
  // Bookings before the origin count from it.
  NodeCalendar late(1, 8, 1000.0);
  late.book(0, 8, 0, 1500);
  CHECK(late.earliest(0, 1, 1000, 10) == 1500);
}

TEST_CASE("NodeCalendar: first_rooms agrees with first_room after bookings, and reset empties it", "[scheduler]")
{
  NodeCalendar c(3, 8, 0.0);
  c.book(0, 8, 0.0, 50.0);
  c.book(1, 4, 0.0, 20.0);
  c.book(1, 6, 30.0, 40.0); // node 1: 4 free until 20, 8 until 30, 2 until 40, then 8
  c.book(2, 7, 10.0, INFINITY);
  for (int g = 0; g <= 8; ++g) {
    const double* rooms = c.first_rooms(g);
    for (int node = 0; node < 3; ++node)
      CHECK(rooms[node] == c.first_room(node, g));
  }
  CHECK(c.first_rooms(8)[0] == 50.0);
  CHECK(c.first_rooms(5)[1] == 20.0);
  CHECK(c.first_rooms(1)[2] == 0.0);
  CHECK(c.first_rooms(8)[2] == 0.0); // empty until 10
  c.book(2, 1, 0.0, 5.0); // booked after first_rooms settled it: settled again on the next call
  CHECK(c.first_rooms(8)[2] == 5.0);
  CHECK(c.first_rooms(2)[2] == 0.0); // 7 free on [0, 5)

  c.reset(100.0);
  for (int node = 0; node < 3; ++node) {
    CHECK(c.first_rooms(8)[node] == 100.0);
    CHECK(c.earliest(node, 8, 100.0, 1e9) == 100.0);
  }
}
