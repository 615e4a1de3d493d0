#pragma once
// File helpers shared by the tokenizer loaders; errors name the file.
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace vora::core {

bool fileExists(const std::string& path);
// Throws Error(FileNotFound / Io).
std::string readTextFile(const std::string& path);
// Throws Error(FileNotFound / Io / CorruptFile with the parser's position).
nlohmann::json readJsonFile(const std::string& path);

} // namespace vora::core
