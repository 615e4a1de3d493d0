#pragma once
// Typed values out of parsed JSON from files, without nlohmann's silent conversions: an integer
// field takes only a JSON integer that fits the C++ type (2^32+3 is not 3, 64.5 is not 64), a
// number field only a finite number. The one rule for every config-like file the runtime reads.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace vora::core {

// nullopt when value does not have T's JSON kind or does not fit T.
template <typename T>
std::optional<T> jsonAs(const nlohmann::json& value)
{
    if constexpr (std::is_same_v<T, bool>) {
        return value.is_boolean() ? std::optional<T>(value.get<bool>()) : std::nullopt;
    } else if constexpr (std::is_integral_v<T>) {
        if (value.is_number_unsigned()) {
            const auto number = value.get<std::uint64_t>();
            return std::in_range<T>(number) ? std::optional<T>(static_cast<T>(number)) : std::nullopt;
        }
        if (value.is_number_integer()) {
            const auto number = value.get<std::int64_t>();
            return std::in_range<T>(number) ? std::optional<T>(static_cast<T>(number)) : std::nullopt;
        }
        return std::nullopt;
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!value.is_number()) {
            return std::nullopt;
        }
        const double number = value.get<double>();
        return std::isfinite(number) && std::abs(number) <= static_cast<double>(std::numeric_limits<T>::max())
            ? std::optional<T>(static_cast<T>(number))
            : std::nullopt;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return value.is_string() ? std::optional<T>(value.get<std::string>()) : std::nullopt;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!value.is_array()) {
            return std::nullopt;
        }
        T items;
        for (const auto& item : value) {
            if (!item.is_string()) {
                return std::nullopt;
            }
            items.push_back(item.get<std::string>());
        }
        return items;
    } else {
        static_assert(sizeof(T) == 0, "jsonAs: unsupported type");
    }
}

// What jsonAs<T> accepts, for messages: "an integer from 0 to 2147483647" and the like.
template <typename T>
std::string jsonKindName()
{
    if constexpr (std::is_same_v<T, bool>) {
        return "true or false";
    } else if constexpr (std::is_integral_v<T>) {
        return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to "
            + std::to_string(std::numeric_limits<T>::max());
    } else if constexpr (std::is_floating_point_v<T>) {
        return "a finite number";
    } else if constexpr (std::is_same_v<T, std::string>) {
        return "a string";
    } else {
        return "a list of strings";
    }
}

} // namespace vora::core
