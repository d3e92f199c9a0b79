// What a timer is about, typed. The store keeps a timer's subject as text (store::Timer::subject,
// "duty/12", "procedure/7/交接中/0"); handlers build it with Str() and read it back with
// ParseTimerSubject, which answers nullopt for text it did not write instead of throwing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/types.hpp"

namespace zhidu::scheduler {

struct TimerSubject {
  std::string kind;               // the record kind: "duty", "deadline", "alarm", "account", …
  store::Id id = 0;               // the record's id, positive
  std::vector<std::string> tail;  // further segments, none of them containing '/'

  std::string Str() const;
};

// The subject `text` if it is KIND/ID followed by exactly `tail_segments` more segments, with
// KIND equal to `kind` and ID a positive integer; nullopt otherwise.
std::optional<TimerSubject> ParseTimerSubject(std::string_view text, std::string_view kind,
                                              size_t tail_segments = 0);

// The subject of `timer` for its handler: kInternal naming the timer when it is not one the
// handler wrote (the scheduler retries it, then keeps it as failed for an administrator to see).
Result<TimerSubject> SubjectOf(const store::Timer& timer, std::string_view kind,
                               size_t tail_segments = 0);

}  // namespace zhidu::scheduler
