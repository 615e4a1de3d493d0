#pragma once
// Test-only fault injection at the named steps of every durable write, so tests can stop a write at
// each step deterministically instead of killing a process at a random moment (docs/reliability.md).
//   VORA_FAULT=NAME[:COUNT[:ERRNO]]  the COUNT-th visit (default 1) of point NAME kills the process
//                                    with SIGKILL, as a crash or a power cut would (no destructors,
//                                    no flushing); with ERRNO (a number, or ENOSPC, EIO, EFBIG,
//                                    EDQUOT) the step fails as the OS would fail it instead.
//   VORA_FAULT_LOG=FILE              every visit appends the point's name to FILE, one per line.
// Unset, a visit costs one branch. Plain C++ (no torch); any thread.
#include <span>
#include <string_view>

namespace vora::core {

// Every point of the C++ code, declared once here: a test visits them all and compares with this
// list. (packaging/demo-model declares its own, in the same form.)
std::span<const std::string_view> declaredFaultPoints();

// Marks the step name. Returns 0, or the errno the step must now fail with. Kills the process when
// VORA_FAULT says so. Throws Error(Internal) for an undeclared name while fault injection is on.
int faultPoint(std::string_view name);

} // namespace vora::core
