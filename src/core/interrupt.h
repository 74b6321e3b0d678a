#pragma once
// Cooperative Ctrl-C: the first SIGINT/SIGTERM only sets a flag that long loops (training, batch
// prediction) poll between steps, so they can finish the step, save, and exit cleanly. A second
// signal restores the default action, so a stuck process can still be killed.

namespace cola {

/// Installs the handlers (idempotent).
void install_interrupt_handler();
/// True once a SIGINT or SIGTERM has arrived.
bool interrupt_requested();
/// Clears the flag (tests; a new run in the same process).
void reset_interrupt();

}  // namespace cola
