// Signal handling for the daemons: block SIGINT/SIGTERM/SIGHUP in every
// thread (call before starting any), then wait for them in main.
#pragma once

namespace fedreg {

void BlockShutdownSignals();

// Blocks until SIGINT or SIGTERM (returns it) or SIGHUP (returns SIGHUP).
int WaitForSignal();

}  // namespace fedreg
