#include "cli/type_name.hpp"

#include <cxxabi.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <vector>

namespace flowtrack::cli::detail {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

// Removes every "[abi:...]" tag.
void strip_abi_tags(std::string& s) {
  for (auto at = s.find("[abi:"); at != std::string::npos; at = s.find("[abi:", at)) {
    const auto end = s.find(']', at);
    if (end == std::string::npos) return;
    s.erase(at, end - at + 1);
  }
}

// The "::"-separated parts of a qualified name, not splitting inside <>, () or {}.
std::vector<std::string> components(std::string_view name) {
  std::vector<std::string> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(' || c == '{') ++depth;
    else if ((c == '>' || c == ')' || c == '}') && depth > 0) --depth;
    else if (depth == 0 && c == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      parts.emplace_back(name.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  parts.emplace_back(name.substr(start));
  return parts;
}

bool is_clang_unnamed(std::string_view part) {  // "$_3": clang's name for lambdas and unnamed types
  if (part.size() < 3 || !part.starts_with("$_")) return false;
  for (char c : part.substr(2))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}
bool is_gcc_lambda(std::string_view part) { return part.starts_with("{lambda("); }
bool is_gcc_unnamed(std::string_view part) { return part.starts_with("{unnamed type#"); }
// A function in a local name: "run() const", "operator()() const", "tmpl<int>(int)".
bool is_function(std::string_view part) {
  int depth = 0;
  for (char c : part) {
    if (c == '(' && depth == 0) return true;
    if (c == '<' || c == '{') ++depth;
    else if ((c == '>' || c == '}') && depth > 0) --depth;
  }
  return false;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "::";
    out += p;
  }
  return out;
}

}  // namespace

std::string stable_demangled_name(std::string_view demangled, bool local) {
  std::string name(demangled);
  replace_all(name, "(anonymous namespace)", "<anonymous>");
  strip_abi_tags(name);
  const auto raw = components(name);
  auto parts = raw;
  for (auto& p : parts)
    if (is_clang_unnamed(p) || is_gcc_unnamed(p)) p = "<anonymous>";
  if (!local || parts.size() < 2) return join(parts);

  std::vector<std::string> scope;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (is_function(p) || (i == 0 && p == "main")) break;  // main's encoding has no parameter list
    if (is_gcc_lambda(p)) {
      if (!scope.empty()) scope.pop_back();  // the variable the lambda initialises
      break;
    }
    if (is_clang_unnamed(raw[i])) break;  // clang's lambda: no variable name before it
    scope.push_back(p);
  }
  scope.emplace_back("<local>");
  scope.push_back(parts.back());
  return join(scope);
}

std::string stable_type_name(const char* mangled) {
  std::string name = demangle(mangled);
  constexpr std::string_view wrapper = "std::_Nested_exception<";
  if (name.starts_with(wrapper) && name.ends_with('>')) {
    name = name.substr(wrapper.size(), name.size() - wrapper.size() - 1);
    // The wrapped type's mangled name follows the wrapper's: "NSt17_Nested_exceptionI" <T> "EE".
    constexpr std::string_view mangled_wrapper = "NSt17_Nested_exceptionI";
    const std::string_view m(mangled);
    const bool local = m.starts_with(mangled_wrapper) && m.size() > mangled_wrapper.size() && m[mangled_wrapper.size()] == 'Z';
    return stable_demangled_name(name, local);
  }
  return stable_demangled_name(name, mangled[0] == 'Z');
}

}  // namespace flowtrack::cli::detail
