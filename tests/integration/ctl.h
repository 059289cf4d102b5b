// fedregctl run the way an operator runs it, for the integration tests that
// check what it prints.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/cluster.h"

namespace fedreg::testing {

// Runs fedregctl with `args` after the options that point it at `c`: its
// centre as `identity` (a certificate c.pki() holds; "" gives no centre
// options, for agent-only commands) and, when `agent_socket` is given, that
// agent. Returns the exit code (-1 when it did not exit), stdout and stderr
// together in *out.
inline int RunFedregctl(Cluster& c, const std::string& identity, const std::vector<std::string>& args, std::string* out,
                        const std::string& agent_socket = "") {
  std::string cmd = std::string(FEDREG_BIN_DIR) + "/fedregctl";
  if (!identity.empty())
    cmd += " --server 127.0.0.1:" + std::to_string(c.port()) + " --ca " + c.pki() + "/ca.pem --cert " + c.pki() + "/" +
           identity + ".pem --key " + c.pki() + "/" + identity + ".key";
  if (!agent_socket.empty()) cmd += " --agent-socket '" + agent_socket + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  const std::string path = c.dir() + "/ctl.out";
  cmd += " >'" + path + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace fedreg::testing
