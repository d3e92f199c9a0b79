// `zhidu policy check|coverage|explain`: the policy-pack commands of the zhidu binary.
#pragma once

#include <CLI/CLI.hpp>

namespace zhidu::app {

// Registers the `policy` command tree on `app`. Each sub-command, when run, stores its process
// exit status in `exit_code` (which must outlive app.parse()): 0 success, 1 pack errors or a
// clause that does not exist, 2 usage errors.
void AddPolicyCommands(CLI::App& app, int& exit_code);

}  // namespace zhidu::app
