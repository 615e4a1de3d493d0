#pragma once
// The inputs of tests/reference/attention_reference.py as C++: its closed-form pixels (exact in
// float32, so no pixel data is committed), its expected JSON files and the prompts they describe.
#include "core/generation/prompt_input.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>

// ((seed*7 + c*131 + y*37 + x*11) % 23) / 11.5 - 1, as attention_reference.py's pixel_value.
inline vora::core::ImagePixels formulaImage(int height, int width, int seed)
{
    vora::core::ImagePixels image;
    image.height = height;
    image.width = width;
    for (int c = 0; c < 3; ++c) {
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const int k = (seed * 7 + c * 131 + y * 37 + x * 11) % 23;
                image.chw.push_back(static_cast<float>(k) / 11.5f - 1.0f);
            }
        }
    }
    return image;
}

// tests/data/attention/<name>.json
inline nlohmann::json readAttentionExpected(const std::string& name)
{
    std::ifstream file(std::string(VORA_TEST_DATA_DIR) + "/attention/" + name + ".json");
    if (!file) {
        throw std::runtime_error("missing tests/data/attention/" + name + ".json");
    }
    return nlohmann::json::parse(file);
}

inline vora::core::PromptInput attentionCasePrompt(const nlohmann::json& testCase)
{
    vora::core::PromptInput prompt;
    prompt.ids = testCase.at("input_ids").get<std::vector<int64_t>>();
    for (const auto& image : testCase.at("images")) {
        prompt.images.push_back(formulaImage(image.at("height"), image.at("width"), image.at("seed")));
    }
    return prompt;
}
