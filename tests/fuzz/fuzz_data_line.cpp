// One line of VoRA training data: structure, roles, placeholders against frames.
#include "training/training_data.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        std::vector<vora::training::DataProblem> problems;
        const auto record = vora::training::parseDataLine(vora::fuzz::text(data, size), "data.jsonl", 1, problems);
        if (record.has_value() == !problems.empty()) {
            __builtin_trap(); // a line is either a record or a problem, never both or neither
        }
        for (const auto& problem : problems) {
            (void)problem.describe();
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
