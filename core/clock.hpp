// Time as an injected dependency, so protocol logic runs on a fake clock
// in tests and never sleeps.
#pragma once

#include <chrono>

namespace scout6::core {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
public:
    TimePoint now() const override {
        return std::chrono::time_point_cast<Duration>(
            std::chrono::steady_clock::now());
    }
};

// Advances only when a test says so.
class FakeClock final : public Clock {
public:
    TimePoint now() const override { return now_; }
    void advance(Duration d) { now_ += d; }

private:
    TimePoint now_{std::chrono::seconds(1000)};
};

}  // namespace scout6::core
