// Prometheus metrics over plain HTTP on a loopback port (cpp-httplib).
// `render` is called on the HTTP thread for every GET /metrics and must be
// thread-safe. Also serves GET /healthz ("ok").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace fedreg {

class MetricsHttpServer {
 public:
  MetricsHttpServer();
  ~MetricsHttpServer();
  // `listen` is host:port (port 0 = any free port). Returns the bound port.
  absl::StatusOr<int> Start(const std::string& listen, std::function<std::string()> render);
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// Prometheus text exposition, one metric family at a time.
class MetricsWriter {
 public:
  // Starts a family: "# HELP" and "# TYPE" lines.
  void Family(const std::string& name, const std::string& type, const std::string& help);
  // One sample; `labels` like {{"site","ncch"}}.
  void Sample(const std::string& name, double value,
              const std::vector<std::pair<std::string, std::string>>& labels = {});
  // A histogram from per-bucket counts (`counts` has one more entry than
  // `bounds`: the +Inf bucket) and the sum of observations.
  void Histogram(const std::string& name, const std::string& help, const double* bounds, int n_bounds,
                 const int64_t* counts, double sum);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace fedreg
