// Names the calling thread as `top -H`, `perf` and /proc/PID/task/TID/comm
// show it, so a profile or bench/run.sh's per-stage CPU can tell fedreg's own
// threads (the centre's writer, an agent's sender, ...) from gRPC's pollers.
// Linux keeps at most 15 bytes; longer names are cut. Never fails the caller.
#pragma once

#include <pthread.h>

#include <string>

namespace fedreg {

inline void NameThisThread(const std::string& name) {
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace fedreg
