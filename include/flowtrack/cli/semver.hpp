// Semantic Versioning 2.0.0 precedence, for a CLI's update notifier: is the published version
// newer than the running one? "1.10.0" > "1.9.3", "1.2.3" > "1.2.3-rc.1", "1.0.0-alpha.10" >
// "1.0.0-alpha.9", build metadata ("+sha.5114f85") ignored.
#pragma once

#include <compare>
#include <optional>
#include <string_view>

namespace flowtrack::cli {

/// How `a` orders against `b` by SemVer 2.0.0's precedence (section 11): MAJOR.MINOR.PATCH
/// numerically; a pre-release is lower than its release; pre-release identifiers compared one by
/// one (numeric ones numerically and lower than alphanumeric ones, alphanumeric ones in ASCII
/// order; with all equal, the shorter list is lower); build metadata ignored. A leading "v" is
/// accepted. nullopt when either is not a version (empty, "1.2", "1.2.x", "01.2.3"). Pure; never
/// throws.
std::optional<std::strong_ordering> compare_versions(std::string_view a, std::string_view b) noexcept;

/// True only when both are versions and `candidate` is newer than `current`.
bool is_newer_version(std::string_view candidate, std::string_view current) noexcept;

}  // namespace flowtrack::cli
