#include "common/metrics_http.h"

#include <httplib.h>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace fedreg {

MetricsHttpServer::MetricsHttpServer() = default;
MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::StatusOr<int> MetricsHttpServer::Start(const std::string& listen, std::function<std::string()> render) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("metrics address must be host:port");
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  server_ = std::make_unique<httplib::Server>();
  server_->Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return absl::UnavailableError("cannot listen for metrics on " + listen);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void MetricsHttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsWriter::Family(const std::string& name, const std::string& type, const std::string& help) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void MetricsWriter::Histogram(const std::string& name, const std::string& help, const double* bounds,
                              int n_bounds, const int64_t* counts, double sum) {
  Family(name, "histogram", help);
  int64_t cumulative = 0;
  for (int i = 0; i <= n_bounds; ++i) {
    cumulative += counts[i];
    char le[32];
    if (i < n_bounds) std::snprintf(le, sizeof(le), "%g", bounds[i]);
    else std::snprintf(le, sizeof(le), "+Inf");
    Sample(name + "_bucket", static_cast<double>(cumulative), {{"le", le}});
  }
  Sample(name + "_sum", sum);
  Sample(name + "_count", static_cast<double>(cumulative));
}

void MetricsWriter::Sample(const std::string& name, double value,
                           const std::vector<std::pair<std::string, std::string>>& labels) {
  out_ += name;
  if (!labels.empty()) {
    out_ += "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ",";
      out_ += labels[i].first + "=\"";
      for (char c : labels[i].second) {
        if (c == '"' || c == '\\') out_ += '\\';
        if (c == '\n') {
          out_ += "\\n";
          continue;
        }
        out_ += c;
      }
      out_ += "\"";
    }
    out_ += "}";
  }
  char buf[64];
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), " %.0f\n", value);
    out_ += buf;
  } else {
    // The shortest form that reads back as the same double: a histogram's
    // _sum grows for the process's life, and six digits (%g) would hide
    // the difference between two scrapes a few minutes apart.
    out_ += ' ';
    const auto r = std::to_chars(buf, buf + sizeof(buf), value);
    out_.append(buf, r.ptr);
    out_ += '\n';
  }
}

}  // namespace fedreg
